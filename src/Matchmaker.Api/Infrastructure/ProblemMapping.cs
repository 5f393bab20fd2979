using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

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
            GraphStoreUnavailableException e => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The graph store is unavailable.",
                Detail = e.Message,
            },
            _ => new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Title = "An unexpected error occurred." },
        };
        if (problem.Status == StatusCodes.Status500InternalServerError) logger.LogError(exception, "Unhandled fault on {Path}", context.Request.Path);
        else logger.LogInformation("Refused {Method} {Path}: {Status} {Reason}", context.Request.Method, context.Request.Path, problem.Status, exception.Message);

        context.Response.StatusCode = problem.Status!.Value;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static string Key(ImportError e) =>
        e.Field.Length == 0 ? $"{e.Section}[{e.Row}]" : e.Section.Length == 0 ? e.Field : $"{e.Section}[{e.Row}].{e.Field}";

    private static HttpValidationProblemDetails Validation(Dictionary<string, string[]> errors, string title) => new(errors)
    {
        Status = StatusCodes.Status400BadRequest,
        Title = title,
    };
}
