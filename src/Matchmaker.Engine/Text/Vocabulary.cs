using System.Runtime.InteropServices;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Text;

/// <summary>
/// Term ids of the index: append-only, so ids stay valid in every index updated from this one. Each term keeps the
/// surface word most often seen for it, to quote matched terms as people write them.
/// </summary>
internal sealed class Vocabulary
{
    private readonly Dictionary<string, int> _ids;
    private readonly List<string> _terms;
    private readonly List<string> _surfaces;

    public Vocabulary()
    {
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        _terms = [];
        _surfaces = [];
    }

    private Vocabulary(Vocabulary other)
    {
        _ids = new Dictionary<string, int>(other._ids, StringComparer.Ordinal);
        _terms = [.. other._terms];
        _surfaces = [.. other._surfaces];
    }

    public int Count => _terms.Count;
    public Vocabulary Clone() => new(this);
    public string Term(int id) => _terms[id];
    public string Surface(int id) => _surfaces[id];
    public int IdOf(string term) => _ids.GetValueOrDefault(term, -1);
    public ReadOnlySpan<string> Terms => CollectionsMarshal.AsSpan(_terms);
    public List<string> TermList => _terms;

    public int Intern(string term)
    {
        ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(_ids, term, out var exists);
        if (!exists)
        {
            id = _terms.Count;
            _terms.Add(term);
            _surfaces.Add(term);
        }
        return id;
    }

    public void SetSurface(int id, string surface) => _surfaces[id] = surface;
}
