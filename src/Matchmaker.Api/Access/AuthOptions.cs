namespace Matchmaker.Api.Access;

/// <summary>The <c>Auth</c> section.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// An admin token taken from configuration (an environment variable or a secret store), accepted besides the
    /// stored keys. At least 32 characters.
    /// </summary>
    public string? BootstrapAdminKey { get; set; }
}
