namespace Matchmaker.Api.Infrastructure;

/// <summary>
/// At most <see cref="Max"/> field errors in a validation problem, as the import reports: a body with thousands of bad
/// entries gets a bounded answer. The endpoints check list lengths before their entries, so the errors gathered
/// before this cap stay bounded too.
/// </summary>
public static class ValidationErrorCap
{
    public const int Max = 100;

    public static void Configure(ProblemDetailsOptions options) => options.CustomizeProblemDetails = context =>
    {
        if (context.ProblemDetails is HttpValidationProblemDetails { Errors.Count: > Max } validation)
        {
            var total = validation.Errors.Count;
            var kept = validation.Errors.Take(Max).ToList();
            validation.Errors.Clear();
            foreach (var (field, reasons) in kept) validation.Errors[field] = reasons;
            validation.Extensions["errorsOmitted"] = total - Max;
        }
    };
}
