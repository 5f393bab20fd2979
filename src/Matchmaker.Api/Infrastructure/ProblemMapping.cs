using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Matchmaker.Api.Infrastructure;

/// <summary>
/// Turns the exceptions that carry a meaning for the caller into ProblemDetails with the right status. Anything
/// else is a fault: a 500 with no internals in the body, logged with its stack trace.
/// </summary>
internal sealed class ProblemMapping(IProblemDetailsService problems, ILogger<ProblemMapping> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem = exception switch
        {
            GraphImportException e => Validation(e.Errors.GroupBy(x => Key(x)).ToDictionary(g => g.Key, g => g.Select(x => x.Reason).ToArray()),
                "The request was refused; nothing was written."),
            DomainValidationException e => Validation(new() { [e.Field] = [e.Reason] }, "The request was refused; nothing was written."),
            BadHttpRequestException e => new ProblemDetails
            {
                Status = e.StatusCode,
                Title = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "The request is malformed.",
                Detail = e.Message,
            },
            // The exception's text (a Neo4j address, a file name, the server's words) goes to the log, not to the caller.
            GraphStoreUnavailableException => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The graph store is unavailable.",
                Detail = $"Retry later. {Logged}",
            },
            _ => DatabaseFault(exception) ?? new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Title = "An unexpected error occurred." },
        };
        if (problem.Status == StatusCodes.Status500InternalServerError) logger.LogError(exception, "Unhandled fault on {Path}", RequestLog.LoggedPath(context));
        else if (problem.Status >= StatusCodes.Status500InternalServerError) logger.LogWarning("Refused {Method} {Path}: {Status} {Reason}", context.Request.Method,
            RequestLog.LoggedPath(context), problem.Status, exception.Message);
        else logger.LogInformation("Refused {Method} {Path}: {Status} {Reason}", context.Request.Method, RequestLog.LoggedPath(context), problem.Status, exception.Message);

        context.Response.StatusCode = problem.Status!.Value;
        if (problem.Status is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status507InsufficientStorage) context.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// A database that is down, full, read-only or busy is an outage the caller can wait out, not a fault of the
    /// service: 503 (507 when the disk is full) with the reason. A failed SQLite statement wrote nothing; a PostgreSQL
    /// connection lost during a commit leaves the outcome unknown, so that answer does not claim either way.
    /// </summary>
    private static ProblemDetails? DatabaseFault(Exception exception)
    {
        const string nothing = "Nothing was written; retry later.";
        const string unreachable = "The database could not be reached; retry later.";
        return exception switch
        {
            SqliteException { SqliteErrorCode: 13 } => Outage(StatusCodes.Status507InsufficientStorage, "The database disk is full.", nothing),
            SqliteException { SqliteErrorCode: 8 } => Outage(StatusCodes.Status503ServiceUnavailable, "The database is read-only.", $"{nothing} {Logged}"),
            SqliteException { SqliteErrorCode: 5 or 6 or 10 or 14 or 15 } =>
                Outage(StatusCodes.Status503ServiceUnavailable, "The database is unavailable.", $"{nothing} {Logged}"),
            PostgresException { SqlState: "53100" } => Outage(StatusCodes.Status507InsufficientStorage, "The database disk is full.", nothing),
            // Connection failures (class 08), shutdowns (57P), resource limits (53) and anything Npgsql itself calls transient.
            PostgresException e when e.SqlState.StartsWith("08", StringComparison.Ordinal) || e.SqlState.StartsWith("57P", StringComparison.Ordinal)
                || e.SqlState.StartsWith("53", StringComparison.Ordinal) || e.IsTransient =>
                Outage(StatusCodes.Status503ServiceUnavailable, "The database is unavailable.", unreachable),
            NpgsqlException { IsTransient: true } and not PostgresException => Outage(StatusCodes.Status503ServiceUnavailable, "The database is unavailable.", unreachable),
            _ => null,
        };
    }

    private const string Logged = "The cause is in the service's log under this answer's traceId.";

    private static ProblemDetails Outage(int status, string title, string detail) => new() { Status = status, Title = title, Detail = detail };

    private static string Key(ImportError e) =>
        e.Field.Length == 0 ? $"{e.Section}[{e.Row}]" : e.Section.Length == 0 ? e.Field : $"{e.Section}[{e.Row}].{e.Field}";

    private static HttpValidationProblemDetails Validation(Dictionary<string, string[]> errors, string title) => new(errors)
    {
        Status = StatusCodes.Status400BadRequest,
        Title = title,
    };
}
