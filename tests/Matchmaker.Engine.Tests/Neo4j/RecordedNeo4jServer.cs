using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Matchmaker.Engine.Graph.Neo4j;

namespace Matchmaker.Engine.Tests.Neo4j;

/// <summary>What the adapter actually sent.</summary>
internal sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A real HTTP listener on loopback that replays recorded exchanges in order and records every request, so that
/// tests can assert the exact Cypher, parameters and headers the adapter sent. It proves the wire contract, not
/// Neo4j's behaviour: the store contract suite needs a real server for that.
/// </summary>
internal sealed class RecordedNeo4jServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Queue<Exchange> _script;
    private readonly List<(Exchange Expected, ReceivedRequest Actual)> _exchanged = [];
    private readonly List<ReceivedRequest> _unexpected = [];
    private readonly Task _loop;
    private readonly object _gate = new();

    private RecordedNeo4jServer(IEnumerable<Exchange> script)
    {
        _script = new Queue<Exchange>(script);
        var port = FreePort();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseUrl.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseUrl { get; }

    public static RecordedNeo4jServer Start(params Exchange[] script) => new(script);

    public IReadOnlyList<ReceivedRequest> Received
    {
        get
        {
            lock (_gate) return _exchanged.Select(e => e.Actual).Concat(_unexpected).ToList();
        }
    }

    /// <summary>A port nothing listens on, for connection-refused tests.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            await HandleAsync(context);
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        string body;
        using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }
        var headers = context.Request.Headers.AllKeys.Where(k => k is not null)
            .ToDictionary(k => k!.ToLowerInvariant(), k => context.Request.Headers[k]!);
        var received = new ReceivedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, headers, body);
        Exchange? next;
        lock (_gate)
        {
            if (_script.TryDequeue(out next)) _exchanged.Add((next, received));
            else _unexpected.Add(received);
        }
        var response = context.Response;
        if (next is null)
        {
            response.StatusCode = 500;
            await WriteAsync(response, """{"errors": [{"code": "Test.UnexpectedRequest", "message": "no recorded exchange left"}]}""");
            return;
        }
        response.StatusCode = next.Status;
        foreach (var (name, value) in next.ResponseHeaders ?? new Dictionary<string, string>()) response.Headers[name] = value;
        await WriteAsync(response, next.ResponseBody);
    }

    private static async Task WriteAsync(HttpListenerResponse response, string? body)
    {
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            response.ContentType = "application/json";
            response.ContentLength64 = bytes.Length;
            await response.OutputStream.WriteAsync(bytes);
        }
        else
        {
            response.ContentLength64 = 0;
        }
        response.Close();
    }

    /// <summary>
    /// Every recorded exchange happened, in order, nothing else was sent, and each request was exactly the recorded
    /// one: method, path, Cypher text, parameters (as JSON), headers. Every statement is one the adapter declares,
    /// with exactly its declared parameters.
    /// </summary>
    public void AssertAllExchanged(string user = "neo4j", string password = "verysecret")
    {
        lock (_gate)
        {
            Assert.Empty(_unexpected.Select(r => $"{r.Method} {r.Path} {r.Body}"));
            Assert.Empty(_script.Select(e => $"{e.Method} {e.Path} {e.Statement}"));
            foreach (var (expected, actual) in _exchanged) AssertRequest(expected, actual, user, password);
        }
    }

    private static void AssertRequest(Exchange expected, ReceivedRequest actual, string user, string password)
    {
        Assert.Equal(expected.Method, actual.Method);
        Assert.Equal(expected.Path, actual.Path);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")), actual.Header("authorization"));
        Assert.Equal("application/json", actual.Header("accept"));
        Assert.Equal(expected.Affinity, actual.Header("neo4j-cluster-affinity"));
        if (expected.Method == "DELETE")
        {
            Assert.Equal("", actual.Body);
            return;
        }
        Assert.Equal("application/json", actual.Header("content-type"));
        if (expected.Statement is null)
        {
            Assert.Equal("", actual.Body);
            return;
        }
        AssertBody(expected.Statement, expected.Parameters!, actual.Body);
    }

    /// <summary>The body is exactly <c>{"statement", "parameters"}</c> with this Cypher and these parameters.</summary>
    public static void AssertBody(string statement, string parameters, string body)
    {
        var sent = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(["statement", "parameters"], sent.Select(p => p.Key));
        Assert.Equal(statement, sent["statement"]!.GetValue<string>());
        var expectedParameters = JsonNode.Parse(parameters);
        Assert.True(JsonNode.DeepEquals(expectedParameters, sent["parameters"]),
            $"parameters differ.\nexpected: {expectedParameters?.ToJsonString()}\nsent:     {sent["parameters"]?.ToJsonString()}");

        var declared = Neo4jStatements.All.Concat(Neo4jScript.Schema).FirstOrDefault(s => s.Text == statement);
        Assert.True(declared is not null, $"the statement is not one the adapter declares:\n{statement}");
        Assert.Equal(declared.Parameters.Order(StringComparer.Ordinal), sent["parameters"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
