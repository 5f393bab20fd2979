using Microsoft.Extensions.Options;

namespace Matchmaker.Engine.Graph.Neo4j;

/// <summary>
/// Where the Neo4j graph lives and how to talk to it over the Query API. Bound from the <c>Graph:Neo4j</c>
/// configuration section; defaults are in code.
/// </summary>
public sealed class Neo4jOptions
{
    public const string SectionName = "Graph:Neo4j";

    /// <summary>The server's HTTP(S) root, e.g. <c>http://localhost:7474</c> or <c>https://xxxx.databases.neo4j.io</c>.</summary>
    public string BaseUrl { get; set; } = "";

    public string Database { get; set; } = "neo4j";

    /// <summary>Basic authentication; leave both empty when the server has authentication disabled.</summary>
    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary>
    /// An SSO token, sent verbatim as <c>Authorization: Bearer &lt;token&gt;</c>. Mutually exclusive with
    /// <see cref="User"/>/<see cref="Password"/>.
    /// </summary>
    public string? BearerToken { get; set; }

    /// <summary>The time one HTTP attempt may take (a write batch of <see cref="BatchSize"/> rows must fit in it).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Rows per <c>UNWIND $rows</c> write. Bounds the size of every request body.</summary>
    public int BatchSize { get; set; } = 5000;

    /// <summary>Rows per export page (<c>WHERE id &gt; $after ORDER BY id LIMIT $pageSize</c>). Bounds every response body.</summary>
    public int ExportPageSize { get; set; } = 1000;

    /// <summary>Retries of a request that is safe to repeat, after a transient failure.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The first retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    internal Uri QueryUri => new(Root, $"db/{Uri.EscapeDataString(Database)}/query/v2");
    internal Uri TransactionsUri => new(Root, $"db/{Uri.EscapeDataString(Database)}/query/v2/tx");
    internal Uri TransactionUri(string id) => new(Root, $"db/{Uri.EscapeDataString(Database)}/query/v2/tx/{Uri.EscapeDataString(id)}");
    internal Uri CommitUri(string id) => new(Root, $"db/{Uri.EscapeDataString(Database)}/query/v2/tx/{Uri.EscapeDataString(id)}/commit");

    private Uri Root => new(BaseUrl.EndsWith('/') ? BaseUrl : BaseUrl + "/");

    /// <summary>What a log line may say about the target: URL and database, never credentials.</summary>
    internal string Describe() => $"{Root.GetLeftPart(UriPartial.Authority)} (database '{Database}')";
}

/// <summary>Checks run at start (<c>ValidateOnStart</c>), so that a bad configuration fails with a clear message before the first request.</summary>
public sealed class Neo4jOptionsValidator : IValidateOptions<Neo4jOptions>
{
    public ValidateOptionsResult Validate(string? name, Neo4jOptions options)
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            failures.Add($"{Neo4jOptions.SectionName}:BaseUrl must be an absolute http or https URL such as http://localhost:7474 (it is '{options.BaseUrl}').");
        }
        else if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            failures.Add($"{Neo4jOptions.SectionName}:BaseUrl must not carry credentials; use User/Password or BearerToken.");
        }
        if (string.IsNullOrWhiteSpace(options.Database))
        {
            failures.Add($"{Neo4jOptions.SectionName}:Database must not be empty (Neo4j's default database is 'neo4j').");
        }
        var basic = !string.IsNullOrEmpty(options.User) || !string.IsNullOrEmpty(options.Password);
        if (basic && !string.IsNullOrEmpty(options.BearerToken))
        {
            failures.Add($"{Neo4jOptions.SectionName}: set either User/Password or BearerToken, not both.");
        }
        if (basic && string.IsNullOrEmpty(options.User))
        {
            failures.Add($"{Neo4jOptions.SectionName}:User is required when a Password is set.");
        }
        if (options.User?.Contains(':', StringComparison.Ordinal) == true)
        {
            failures.Add($"{Neo4jOptions.SectionName}:User must not contain ':' (Basic authentication cannot carry it).");
        }
        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"{Neo4jOptions.SectionName}:RequestTimeout must be between 0 and 1 hour (it is {options.RequestTimeout}).");
        }
        if (options.BatchSize is < 1 or > 100_000)
        {
            failures.Add($"{Neo4jOptions.SectionName}:BatchSize must be between 1 and 100000 (it is {options.BatchSize}).");
        }
        if (options.ExportPageSize is < 1 or > 100_000)
        {
            failures.Add($"{Neo4jOptions.SectionName}:ExportPageSize must be between 1 and 100000 (it is {options.ExportPageSize}).");
        }
        if (options.MaxRetryAttempts is < 0 or > 10)
        {
            failures.Add($"{Neo4jOptions.SectionName}:MaxRetryAttempts must be between 0 and 10 (it is {options.MaxRetryAttempts}).");
        }
        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{Neo4jOptions.SectionName}:RetryDelay must be between 0 and 1 minute (it is {options.RetryDelay}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
