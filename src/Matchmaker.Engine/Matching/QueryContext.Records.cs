using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Matchmaker.Engine.Matching;

// The per-organization records and the columns that read them. Field offsets are named constants that both place the
// fields and address them from a Column, so a column cannot read a neighbouring field; the offsets are those of the
// sequential layout the records had (48 and 16 bytes), which the hot loops were tuned on.
public sealed partial class QueryContext
{
    /// <summary>What the query knows of a partner or a scored candidate. Zero for other organizations.</summary>
    [StructLayout(LayoutKind.Explicit)]
    internal struct Neighbour
    {
        internal const int JointAt = 0;
        internal const int JointWeightedAt = 4;
        internal const int JointInSectorAt = 8;
        internal const int JointQueryLedAt = 12;
        internal const int JointCandidateLedAt = 16;
        internal const int JointInverseSizeAt = 20;
        internal const int TwoHopRecentAt = 24;
        internal const int TwoHopInSectorsAt = 28;
        internal const int TwoHopRecentInSectorsAt = 32;
        internal const int HopOneAt = 36;
        internal const int DiffusionAt = 40;
        internal const int LastJointYearAt = 44;

        [FieldOffset(JointAt)] public float Joint;
        [FieldOffset(JointWeightedAt)] public float JointWeighted;
        [FieldOffset(JointInSectorAt)] public float JointInSector;
        [FieldOffset(JointQueryLedAt)] public float JointQueryLed;
        [FieldOffset(JointCandidateLedAt)] public float JointCandidateLed;
        [FieldOffset(JointInverseSizeAt)] public float JointInverseSize;
        [FieldOffset(TwoHopRecentAt)] public float TwoHopRecent;
        [FieldOffset(TwoHopInSectorsAt)] public float TwoHopInSectors;
        [FieldOffset(TwoHopRecentInSectorsAt)] public float TwoHopRecentInSectors;
        /// <summary>Partners: the two-hop diffusion's mass after its first hop, times the query's total project weight.</summary>
        [FieldOffset(HopOneAt)] public float HopOne;
        /// <summary>Scored candidates: the two-hop diffusion's score (<see cref="DiffusionOptions.TwoHops"/>).</summary>
        [FieldOffset(DiffusionAt)] public float Diffusion;
        [FieldOffset(LastJointYearAt)] public short LastJointYear;
    }

    /// <summary>Common-partner scores of one organization. Zero for organizations that are not partners of partners.</summary>
    [StructLayout(LayoutKind.Explicit)]
    internal struct TwoHopScores
    {
        internal const int CommonPartnersAt = 0;
        internal const int AdamicAdarAt = 4;
        internal const int ResourceAllocationAt = 8;
        internal const int CappedAdamicAdarAt = 12;

        [FieldOffset(CommonPartnersAt)] public float CommonPartners;
        [FieldOffset(AdamicAdarAt)] public float AdamicAdar;
        [FieldOffset(ResourceAllocationAt)] public float ResourceAllocation;
        [FieldOffset(CappedAdamicAdarAt)] public float CappedAdamicAdar;
    }

    /// <summary>One value of every organization's record, read like an array.</summary>
    public readonly struct Column
    {
        private readonly Array _records;
        private readonly int _offset;
        private readonly int _stride;

        /// <param name="records">The records.</param>
        /// <param name="fieldAt">The byte offset of a float field (a <see cref="Neighbour"/> <c>...At</c> constant).</param>
        internal Column(Neighbour[] records, int fieldAt) : this(records, fieldAt, Unsafe.SizeOf<Neighbour>()) { }

        /// <param name="records">The records.</param>
        /// <param name="fieldAt">The byte offset of a field (a <see cref="TwoHopScores"/> <c>...At</c> constant).</param>
        internal Column(TwoHopScores[] records, int fieldAt) : this(records, fieldAt, Unsafe.SizeOf<TwoHopScores>()) { }

        private Column(Array records, int fieldAt, int stride)
        {
            _records = records;
            _offset = fieldAt;
            _stride = stride;
        }

        public float this[int organization]
        {
            get
            {
                if ((uint)organization >= (uint)_records.Length) throw new ArgumentOutOfRangeException(nameof(organization));
                return Unsafe.As<byte, float>(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_records), _offset + (nint)organization * _stride));
            }
        }

        public int Length => _records.Length;
    }

    /// <summary>The year of the latest joint project per organization (0 for non-partners), read like an array.</summary>
    public readonly struct YearColumn
    {
        private readonly Neighbour[] _rows;

        internal YearColumn(Neighbour[] rows) => _rows = rows;

        public short this[int organization] => _rows[organization].LastJointYear;

        public int Length => _rows.Length;
    }
}
