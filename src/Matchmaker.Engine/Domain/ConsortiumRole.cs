namespace Matchmaker.Engine.Domain;

/// <summary>The part a member plays in one project or consortium (产/学/研/金/用/platform).</summary>
public enum ConsortiumRole : byte
{
    Industry = 1,
    Academia = 2,
    Research = 3,
    Finance = 4,
    User = 5,
    Platform = 6,
}
