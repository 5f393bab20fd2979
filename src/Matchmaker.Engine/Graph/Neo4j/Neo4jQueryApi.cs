using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Matchmaker.Engine.Telemetry;
using Microsoft.Extensions.Logging;
using Polly.Timeout;

namespace Matchmaker.Engine.Graph.Neo4j;

/// <summary>
/// The wire protocol of Neo4j's HTTP Query API (<c>/db/{database}/query/v2</c>): request bodies, authentication,
/// explicit transactions with the <c>neo4j-cluster-affinity</c> header, and the mapping of Neo4j errors to the
/// store's exceptions.
/// </summary>
internal sealed class Neo4jQueryApi
{
    public const string AffinityHeader = "neo4j-cluster-affinity";
    public static readonly HttpRequestOptionsKey<Neo4jRetry> RetryOption = new("Matchmaker.Neo4j.Retry");
    public static readonly HttpRequestOptionsKey<string> StatementOption = new("Matchmaker.Neo4j.Statement");

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");

    private readonly Func<HttpClient> _client;
    private readonly Neo4jOptions _options;
    private readonly ILogger _logger;
    private readonly AuthenticationHeaderValue? _authorization;

    public Neo4jQueryApi(Func<HttpClient> client, Neo4jOptions options, ILogger logger)
    {
        _client = client;
        _options = options;
        _logger = logger;
        if (!string.IsNullOrEmpty(options.BearerToken))
        {
            _authorization = new AuthenticationHeaderValue("Bearer", options.BearerToken);
        }
        else if (!string.IsNullOrEmpty(options.User))
        {
            // RFC 7617 with UTF-8, as the Query API documents.
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.User}:{options.Password}"));
            _authorization = new AuthenticationHeaderValue("Basic", credentials);
        }
    }

    public Neo4jOptions Options => _options;

    /// <summary>Runs one statement in an implicit (auto-commit) transaction.</summary>
    public Task<Neo4jResult> RunAsync(Neo4jStatement statement, Action<Utf8JsonWriter>? parameters, Neo4jRetry retry, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, _options.QueryUri, statement, parameters, affinity: null, retry, statement.Name, cancellationToken);

    /// <summary>Opens an explicit transaction with a first statement (a read, so that opening can be retried safely).</summary>
    public async Task<Neo4jTransaction> BeginAsync(Neo4jStatement first, Action<Utf8JsonWriter>? parameters, CancellationToken cancellationToken)
    {
        var result = await SendAsync(HttpMethod.Post, _options.TransactionsUri, first, parameters, affinity: null, Neo4jRetry.Idempotent, first.Name, cancellationToken);
        if (result.TransactionId is null)
        {
            result.Dispose();
            throw new GraphStoreUnavailableException(
                $"Neo4j at {_options.Describe()} opened no transaction (the response has no transaction id). Explicit transactions of the Query API need Neo4j " +
                "5.26 or later, or Aura.");
        }
        return new Neo4jTransaction(this, result.TransactionId, result.Affinity, result);
    }

    internal Task<Neo4jResult> RunInTransactionAsync(Neo4jTransaction transaction, Neo4jStatement statement, Action<Utf8JsonWriter>? parameters,
        CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, _options.TransactionUri(transaction.Id), statement, parameters, transaction.Affinity, Neo4jRetry.Never, statement.Name, cancellationToken);

    internal Task<Neo4jResult> CommitAsync(Neo4jTransaction transaction, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, _options.CommitUri(transaction.Id), statement: null, parameters: null, transaction.Affinity, Neo4jRetry.Never, "commit", cancellationToken);

    internal async Task RollbackAsync(Neo4jTransaction transaction)
    {
        // Best effort: the server also rolls back a transaction that erred or idled past its timeout. A failure here
        // must not hide the error that caused the rollback.
        using var timeout = new CancellationTokenSource(_options.RequestTimeout);
        try
        {
            using var result = await SendAsync(HttpMethod.Delete, _options.TransactionUri(transaction.Id), statement: null, parameters: null,
                transaction.Affinity, Neo4jRetry.Never, "rollback", timeout.Token);
        }
        catch (Exception e) when (e is GraphStoreUnavailableException or Neo4jException or GraphConflictException or OperationCanceledException)
        {
            _logger.LogDebug(e, "Rollback of Neo4j transaction {TransactionId} did not complete; the server rolls it back on its own.", transaction.Id);
        }
    }

    /// <summary>
    /// One call of the Query API under a client span named after the statement (a fixed set of names: the span's name
    /// says which operation, the HttpClient span below it each attempt). Only the server, database and statement name
    /// are recorded: never credentials, parameters or Neo4j's error text (which may quote values).
    /// </summary>
    private async Task<Neo4jResult> SendAsync(HttpMethod method, Uri uri, Neo4jStatement? statement, Action<Utf8JsonWriter>? parameters,
        string? affinity, Neo4jRetry retry, string name, CancellationToken cancellationToken)
    {
        using var activity = MatchmakerTelemetry.Source.StartActivity($"neo4j {name}", ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag("db.system.name", "neo4j");
            activity.SetTag("db.namespace", _options.Database);
            activity.SetTag("db.operation.name", name);
            activity.SetTag("server.address", uri.Host);
            activity.SetTag("server.port", uri.Port);
        }
        try
        {
            return await SendCoreAsync(method, uri, statement, parameters, affinity, retry, name, cancellationToken);
        }
        catch (Exception e) when (activity is not null)
        {
            activity.SetTag("error.type", e.GetType().Name);
            activity.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
    }

    private async Task<Neo4jResult> SendCoreAsync(HttpMethod method, Uri uri, Neo4jStatement? statement, Action<Utf8JsonWriter>? parameters,
        string? affinity, Neo4jRetry retry, string name, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Accept.Add(Json);
        if (_authorization is not null) request.Headers.Authorization = _authorization;
        if (affinity is not null) request.Headers.TryAddWithoutValidation(AffinityHeader, affinity);
        if (method == HttpMethod.Post)
        {
            HttpContent content = statement is null ? new ByteArrayContent([]) : new ReadOnlyMemoryContent(Body(statement, parameters));
            content.Headers.ContentType = Json;
            request.Content = content;
        }
        request.Options.Set(RetryOption, retry);
        request.Options.Set(StatementOption, name);

        HttpResponseMessage response;
        try
        {
            response = await _client().SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (HttpRequestException e)
        {
            throw new GraphStoreUnavailableException($"Neo4j at {_options.Describe()} cannot be reached ({Describe(e)}) while running '{name}'.", e);
        }
        catch (Exception e) when (e is TimeoutRejectedException or TaskCanceledException or TimeoutException)
        {
            throw new GraphStoreUnavailableException(
                $"Neo4j at {_options.Describe()} did not answer '{name}' within {_options.RequestTimeout.TotalSeconds:0.#} s.", e);
        }

        using (response)
        {
            return await ReadAsync(response, name, cancellationToken);
        }
    }

    /// <summary>The request body: <c>{"statement": "...", "parameters": {...}}</c>, written once into one buffer.</summary>
    internal static ReadOnlyMemory<byte> Body(Neo4jStatement statement, Action<Utf8JsonWriter>? parameters)
    {
        var buffer = new ArrayBufferWriter<byte>(statement.Text.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("statement", statement.Text);
            writer.WriteStartObject("parameters");
            parameters?.Invoke(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.WrittenMemory;
    }

    private async Task<Neo4jResult> ReadAsync(HttpResponseMessage response, string name, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        JsonDocument? document = null;
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (bytes.Length > 0)
        {
            try
            {
                document = JsonDocument.Parse(bytes);
            }
            catch (JsonException)
            {
                document = null;
            }
        }

        try
        {
            if (document is not null && document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var first = errors[0];
                var code = first.TryGetProperty("code", out var c) ? c.GetString() ?? "" : "";
                var message = first.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
                throw Neo4jErrors.ToException(name, status, code, message, _options);
            }
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw Neo4jErrors.ToException(name, status, "Neo.ClientError.Security.Unauthorized", $"HTTP {status}", _options);
            }
            if (!response.IsSuccessStatusCode)
            {
                throw Neo4jErrors.FromHttpStatus(name, status, response.ReasonPhrase, _options);
            }
            if (document is null && bytes.Length > 0)
            {
                throw new GraphStoreUnavailableException(
                    $"Neo4j at {_options.Describe()} answered '{name}' with HTTP {status} and a body that is not JSON; is {_options.BaseUrl} the Neo4j HTTP port?");
            }
            var result = new Neo4jResult(document, response.Headers.TryGetValues(AffinityHeader, out var values) ? values.FirstOrDefault() : null);
            document = null; // owned by the result now
            return result;
        }
        finally
        {
            document?.Dispose();
        }
    }

    private static string Describe(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.ConnectionError => "connection refused or failed",
        HttpRequestError.NameResolutionError => "host name not found",
        HttpRequestError.SecureConnectionError => "TLS handshake failed",
        _ => e.Message,
    };
}
