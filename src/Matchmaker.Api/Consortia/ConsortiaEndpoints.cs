using Matchmaker.Api.Access;
using Matchmaker.Api.Infrastructure;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Planning;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Matchmaker.Api.Consortia;

/// <summary>A role slot: <c>role</c> industry/academia/research/finance/user/platform (or 产学研金用), <c>count</c> 1-10 (default 1), optional <c>kinds</c> that may fill it.</summary>
public sealed record PlanSlotBody(string? Role, int? Count, IReadOnlyList<string>? Kinds);

/// <summary>Constraints on the proposed members (not on the lead): allowed <c>cities</c>, organizations to <c>include</c> or
/// <c>exclude</c>, <c>maxPerCity</c>, <c>maxSize</c> (members in all).</summary>
public sealed record PlanConstraintsBody(IReadOnlyList<string>? Cities, IReadOnlyList<string>? Include, IReadOnlyList<string>? Exclude, int? MaxPerCity, int? MaxSize);

/// <summary>Weights of the objective's parts, each 0-1 (defaults 0.6, 0.4, 0.2); only their ratios matter.</summary>
public sealed record PlanWeightsBody(double? Fit, double? Cohesion, double? Coverage);

/// <summary>
/// A consortium plan request: the lead organization (a key bound to an organization may only name itself), the
/// sector (and sub-field), the challenge's needs as text in Chinese and/or English, the role slots (the sector's
/// defaults when left out), constraints, how many alternative teams (1-5, default 3) and the objective's weights.
/// </summary>
public sealed record CreatePlanRequest(
    string? LeadId, string? Sector, string? SubField, string? Challenge, IReadOnlyList<PlanSlotBody>? Slots,
    PlanConstraintsBody? Constraints, int? Alternatives, PlanWeightsBody? Weights);

public static class ConsortiaEndpoints
{
    private const int MaxListEntries = 64;
    private const int MaxKinds = 16;

    /// <summary>Plans take small bodies: a challenge text, a few slots and lists of ids.</summary>
    public const int MaxBodyBytes = 32 * 1024;

    private const string Refused = "The request was refused; nothing was planned.";

    public static IEndpointRouteBuilder MapConsortia(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/consortia/plans")
            .WithTags("Consortia")
            // Planning is costly, scores any set of organizations and keeps its result for the key that asked: a
            // scope of its own (plan, or admin), never the read or widget keys handed to web pages. A bound key may
            // plan only with its own organization as lead, which the handler checks (the lead is in the body).
            .RequireAuthorization(AccessPolicies.Plan)
            .OrganizationCheckedByHandler()
            .WithRequestBodyLimit(MaxBodyBytes)
            .ProducesCommonProblems(StatusCodes.Status500InternalServerError);

        group.MapPost("/", Create)
            .WithName("CreateConsortiumPlan")
            .WithSummary("Plan alternative 产学研金用 teams for a lead organization")
            .WithDescription("""
                Proposes up to `alternatives` whole teams, one member per slot place, each with its score and the parts of the score
                (fit to the lead and its fields by the ranking model, cohesion among the members: their existing ties, the shorter
                the line between them in the graph the better, and coverage of the challenge's needs), and reasons per member in Chinese and English. Each
                alternative differs from every earlier one in at least a third of its members. The plan is saved: reopen it by id
                with the same key. Example body: {"leadId": "baolong-auto", "sector": "new-energy-vehicles", "challenge":
                "多传感器融合算法与轻量化合金 / sensor fusion, lightweight alloys", "slots": [{"role": "学"}, {"role": "research"},
                {"role": "finance"}, {"role": "user", "count": 2}], "constraints": {"cities": ["shanghai-songjiang", "suzhou",
                "hangzhou"], "maxPerCity": 2}, "alternatives": 3}. 422 names the slot (slots[i]) or constraint that no team can satisfy.
                """)
            .Accepts<CreatePlanRequest>("application/json")
            .Produces<ConsortiumPlan>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapGet("/{planId}", Get)
            .WithName("GetConsortiumPlan")
            .WithSummary("Reopen a saved consortium plan")
            .WithDescription("Only the key that made the plan can reopen it; for any other key the plan does not exist (404).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    internal static async Task<Results<Created<ConsortiumPlan>, ValidationProblem, ProblemHttpResult, ForbidHttpResult>> Create(
        CreatePlanRequest body, HttpContext http, PlannerSource planners, IPlanStore plans, TimeProvider time, ILoggerFactory loggers,
        IOptions<PlanOptions> limits, Matchmaker.Engine.Recommendations.IRecommendationStore lists, Matchmaker.Engine.Feedback.FeedbackIndex feedback,
        CancellationToken cancellationToken)
    {
        var (request, errors) = Validate(body);
        if (request is null) return errors.ToProblem(Refused);
        // A bound key plans for its own organization only; the answer does not say whether the other one exists.
        if (ApiKeyClaims.OrganizationOf(http.User) is { } bound && !string.Equals(bound, request.LeadId, StringComparison.Ordinal)) return TypedResults.Forbid();
        if (CandidateReach.IsBound(http))
        {
            // A bound key names only organizations it has been shown: an include it has not been shown gets the
            // answer an id no organization has gets; such an exclude is left out either way (it changes nothing
            // the key could tell apart).
            var reach = await CandidateReach.OfAsync(request.LeadId, lists, feedback, plans, cancellationToken);
            var unseen = new FieldErrors();
            for (var i = 0; i < request.Constraints.Include.Count; i++)
            {
                if (!reach.Contains(request.Constraints.Include[i])) unseen.Add($"constraints.include[{i}]", FieldErrors.Messages.NotShown(request.LeadId, "organizations"));
            }
            if (unseen.Count > 0) return unseen.ToProblem(Refused);
            request = request with { Constraints = request.Constraints with { Exclude = request.Constraints.Exclude.Where(reach.Contains).ToArray() } };
        }

        var planner = await planners.GetAsync(cancellationToken);
        var outcome = planner.Plan(request, $"plan-{Guid.NewGuid():N}", time.GetUtcNow());
        if (outcome.Refusal is { } refusal)
        {
            var problem = new HttpValidationProblemDetails(refusal.Errors.ToDictionary())
            {
                Status = refusal.Kind == PlanRefusalKind.Impossible ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status400BadRequest,
                Title = refusal.Title,
                Detail = refusal.Detail,
            };
            return TypedResults.Problem(problem);
        }
        var plan = outcome.Plan!;
        var (max, days) = (limits.Value.MaxSavedPerKey, limits.Value.RetentionDays);
        var saved = await plans.SaveWithinQuotaAsync(plan, ApiKeyClaims.KeyIdOf(http.User)!, max, plan.CreatedAt.AddDays(-days), cancellationToken);
        if (!saved.Saved)
        {
            Matchmaker.Engine.Telemetry.MatchmakerTelemetry.CountRefusal("saved_plans");
            // The key's oldest plan expires first and frees a place: that is when to come back.
            var frees = saved.OldestKept!.Value.AddDays(days);
            http.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling((frees - plan.CreatedAt).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "This key keeps the most saved plans allowed.",
                detail: $"A key keeps at most {max} plans (Plans:MaxSavedPerKey), each for {days} days (Plans:RetentionDays); its oldest expires at {frees:u}. Nothing was saved.");
        }
        loggers.CreateLogger("Matchmaker.Consortia").LogInformation("Planned {PlanId} for {Lead}: {Alternatives} alternatives, best {Score}",
            plan.Id, plan.LeadId, plan.Alternatives.Count, plan.Alternatives[0].Score);
        return TypedResults.Created($"/api/v1/consortia/plans/{plan.Id}", plan);
    }

    internal static async Task<Results<Ok<ConsortiumPlan>, ProblemHttpResult>> Get(string planId, HttpContext http, IPlanStore plans, IOptions<PlanOptions> limits,
        TimeProvider time, CancellationToken cancellationToken) =>
        // An expired plan is gone for its key at once, though it is deleted only when the next plan is saved.
        await plans.FindAsync(planId, ApiKeyClaims.KeyIdOf(http.User)!, time.GetUtcNow().AddDays(-limits.Value.RetentionDays), cancellationToken) is { } plan
            ? TypedResults.Ok(plan)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Plan not found.", detail: $"This key has no plan with id '{planId}'.");

    /// <summary>Checks the body once, naming every bad field; maps it to the engine's request when all is well.</summary>
    internal static (PlanRequest? Request, FieldErrors Errors) Validate(CreatePlanRequest body)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(body.LeadId) || body.LeadId.Length > 64) errors.Add("leadId", "is required: an organization id");
        var sector = errors.Sector("sector", body.Sector);
        if (body.Sector is null) errors.Add("sector", $"is required, one of {string.Join(", ", G60Catalog.Sectors.Select(s => s.Code))}");
        errors.SubField("subField", body.SubField, sector);
        if (body.Challenge is { } challenge)
        {
            if (challenge.Length > PlanRequest.MaxChallengeLength) errors.Add("challenge",
                $"is {challenge.Length} characters long; at most {PlanRequest.MaxChallengeLength} are allowed");
            else if (challenge.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t')) errors.Add("challenge", "contains control characters");
        }

        var slots = new List<SlotRequest>();
        if (body.Slots is { } bodySlots)
        {
            if (bodySlots.Count is 0 or > PlanRequest.MaxSlots) errors.Add("slots", $"1-{PlanRequest.MaxSlots} slots, or leave it out for the sector's defaults");
            for (var i = 0; i < Math.Min(bodySlots.Count, PlanRequest.MaxSlots); i++)
            {
                var slot = bodySlots[i];
                if (slot is null)
                {
                    errors.Add($"slots[{i}]", "must be an object with a role");
                    continue;
                }
                var before = errors.Count;
                if (!Codes.TryParseRole(slot.Role, out var role))
                {
                    errors.Add($"slots[{i}].role", FieldErrors.Messages.NotOneOf(slot.Role, "a role", Codes.RoleValues) + " (or 产学研金用)");
                }
                errors.Range($"slots[{i}].count", slot.Count, 1, SlotRequest.MaxCount);
                var kinds = new List<OrganizationKind>();
                if (errors.ListLength($"slots[{i}].kinds", slot.Kinds, MaxKinds))
                {
                    for (var k = 0; k < (slot.Kinds?.Count ?? 0); k++)
                    {
                        if (errors.Code($"slots[{i}].kinds[{k}]", slot.Kinds![k] ?? "", "a kind", Codes.TryParseKind, Codes.KindValues, out OrganizationKind kind)) kinds.Add(kind);
                    }
                }
                if (errors.Count == before) slots.Add(new SlotRequest(role, slot.Count ?? 1, kinds));
            }
            if (slots.Count == bodySlots.Count && slots.Sum(s => s.Count) > PlanRequest.MaxTeamSize) errors.Add("slots",
                $"ask for {slots.Sum(s => s.Count)} members; at most {PlanRequest.MaxTeamSize} are allowed");
        }

        var constraints = body.Constraints ?? new PlanConstraintsBody(null, null, null, null, null);
        var cities = constraints.Cities ?? [];
        // Each list is counted before its entries are checked: an over-long list is one error, not one per entry.
        foreach (var (list, name) in new[] { (cities, "cities"), (constraints.Include ?? [], "include"), (constraints.Exclude ?? [], "exclude") })
        {
            if (!errors.ListLength($"constraints.{name}", list, MaxListEntries)) continue;
            for (var i = 0; i < list.Count; i++)
            {
                if (name == "cities") errors.City($"constraints.cities[{i}]", list[i] ?? "");
                else if (string.IsNullOrWhiteSpace(list[i]) || list[i].Length > 64) errors.Add($"constraints.{name}[{i}]", "must be an organization id");
            }
        }
        errors.Range("constraints.maxPerCity", constraints.MaxPerCity, 1, PlanRequest.MaxTeamSize);
        errors.Range("constraints.maxSize", constraints.MaxSize, 1, PlanRequest.MaxTeamSize);
        errors.Range("alternatives", body.Alternatives, 1, PlanRequest.MaxAlternatives);

        var weights = ObjectiveWeights.Default;
        if (body.Weights is { } w)
        {
            var values = new[] { (w.Fit, "fit", weights.Fit), (w.Cohesion, "cohesion", weights.Cohesion), (w.Coverage, "coverage", weights.Coverage) };
            foreach (var (value, name, _) in values)
            {
                if (value is { } v && (!double.IsFinite(v) || v < 0 || v > 1)) errors.Add($"weights.{name}", FieldErrors.Messages.Between(0, 1));
            }
            var (fit, cohesion, coverage) = (w.Fit ?? weights.Fit, w.Cohesion ?? weights.Cohesion, w.Coverage ?? weights.Coverage);
            if (!errors.Has("weights"))
            {
                if (fit + cohesion + coverage <= 0) errors.Add("weights", "at least one weight must be above 0");
                else weights = new ObjectiveWeights(fit, cohesion, coverage);
            }
        }
        if (errors.Count > 0) return (null, errors);

        return (new PlanRequest
        {
            LeadId = body.LeadId!,
            Sectors = [sector!.Code],
            SubField = body.SubField,
            Challenge = string.IsNullOrWhiteSpace(body.Challenge) ? null : body.Challenge.Trim(),
            Slots = body.Slots is null ? null : slots,
            Constraints = new PlanConstraints
            {
                Cities = cities.Distinct(StringComparer.Ordinal).ToArray(),
                Include = (constraints.Include ?? []).ToArray(),
                Exclude = (constraints.Exclude ?? []).ToArray(),
                MaxPerCity = constraints.MaxPerCity,
                MaxSize = constraints.MaxSize,
            },
            Alternatives = body.Alternatives ?? 3,
            Weights = weights,
        }, errors);
    }
}
