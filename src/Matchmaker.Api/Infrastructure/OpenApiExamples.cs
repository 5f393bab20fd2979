using System.Text.Json;
using System.Text.Json.Nodes;
using Matchmaker.Api.Access;
using Matchmaker.Api.Consortia;
using Matchmaker.Api.Delivery;
using Matchmaker.Api.Feedback;
using Matchmaker.Api.Models;
using Matchmaker.Api.Organizations;
using Matchmaker.Api.Recommendations;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Planning;
using Matchmaker.Engine.Recommendations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Matchmaker.Api.Infrastructure;

/// <summary>
/// Puts a realistic example on every request body and response of the OpenAPI document: the G60 demo graph's
/// organizations, reasons in both languages, and a ProblemDetails per error status. Examples are real instances of
/// the wire types serialized with the API's own JSON options, so they cannot drift from the shapes.
/// </summary>
internal sealed class OpenApiExamples : IOperationFilter
{
    private static readonly DateTimeOffset When = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    private static readonly CandidateSummary Candidate = new("同济大学汽车学院", "Tongji University School of Automotive Studies", "university", "shanghai", ["new-energy-vehicles"]);

    private static readonly RecommendationItem Item = new("tongji-auto", 1, 0.8731, false, Candidate,
        [
            new Reason("capability-need", "具备您需要的能力: 动力电池热管理", "Has what you need: power-battery thermal management", ["动力电池热管理"]),
            new Reason("shared-partners", "2 个共同伙伴: 宝龙汽车, 长三角G60科创走廊联席会议办公室", "2 shared partners: Baolong Automotive, G60 office", ["baolong-auto", "g60-office"]),
        ], "accept", false, 3, 100, "high");

    private static readonly OrganizationRecord Organization = new()
    {
        Id = "donghua-mse", NameZh = "东华大学材料科学与工程学院", NameEn = "Donghua University, College of Materials Science and Engineering",
        Kind = "university", City = "shanghai-songjiang", Sectors = ["new-materials"], SubFields = ["carbon-fibre"],
        Capabilities = ["carbon-fibre", "fibre-spinning"], Needs = ["pilot-production"], Employees = 400, Illustrative = false,
    };

    private static readonly KeyResponse Key = new("3f2a9c0d1e4b5a68", "Songjiang park portal", ["read"], "donghua-mse", ["https://park.example.cn"], When, null);

    private static readonly SubscriptionResponse Subscription = new("sub-7d3f2a", "donghua-mse", "email", "tech-transfer@dhu.example.cn",
        new SubscriptionFiltersBody(["enterprise", "financial-institution"], null, ["new-materials"], null), "both", "active", null, 0, null, null,
        When.AddDays(-7), When.AddDays(-30), When.AddDays(-7), false, "https://matchmaker.example.cn/unsubscribe/<signed token>");

    private static readonly DeliveryResponse Delivery = new("dl-2026-w48-sub-7d3f2a", "weekly-list", "2026-W48", "本周新匹配 / New matches this week: 5",
        "sent", 1, null, false, When.AddDays(-7), null, When.AddDays(-7), [new DeliveryAttemptResponse(1, When.AddDays(-7), "sent", 250, null, 184)]);

    private static readonly CandidateSummary Baolong = new("上海保隆汽车科技股份有限公司", "Baolong Automotive", "enterprise", "shanghai-songjiang", ["new-energy-vehicles"]);

    private static readonly ConsortiumPlan Plan = new("plan-5f1c0e9a2b7d4c3e8a6f0b1d2c3e4f5a", When, "baolong-auto", Baolong, ["new-energy-vehicles"], null,
        "多传感器融合算法与轻量化合金 / sensor fusion, lightweight alloys",
        [new PlannedSlot(0, "academia", "学", 1, ["university"], true), new PlannedSlot(1, "finance", "金", 1, ["financial-institution"], true)],
        new PlannedConstraints(["shanghai-songjiang", "suzhou", "hangzhou"], [], [], 2, null),
        new PlanObjective(0.5, 0.3, 0.2, 1, ["sensor-fusion", "lightweight-alloys"]),
        "lambdarank-v3", 1,
        [new TeamAlternative(1, 0.7412, new ScoreParts(0.81, 0.66, 0.5),
            [
                new TeamMember(0, "academia", "tongji-auto", Candidate, 0.84, 0.71, ["sensor-fusion"], Item.Reasons),
                new TeamMember(1, "finance", "czbank", new CandidateSummary("浙商银行", "China Zheshang Bank", "financial-institution", "hangzhou", ["new-energy-vehicles"]),
                    0.78, 0.61, [], [new Reason("financed-partners", "曾为 2 个伙伴提供融资", "Financed 2 of your partners", ["baolong-auto"])]),
            ],
            ["sensor-fusion"], ["lightweight-alloys"], [new TeamTie("baolong-auto", "tongji-auto", "joint-projects", 3)], null)],
        []);

    private static readonly Dictionary<Type, object> Examples = new()
    {
        [typeof(RecommendationPage)] = new RecommendationPage("donghua-mse", "full-20261123T020000Z-1a2b", "lambdarank-v3", When, [Item], "MjA"),
        [typeof(OrganizationRecord)] = Organization,
        [typeof(RecommendationQueryRequest)] = new RecommendationQueryRequest(
            "固态电池硫化物电解质与电动客车快充 / sulfide electrolytes for solid-state batteries in fast-charging electric buses",
            "G60-2026-NEV-03", "university", null, null, false, 10),
        [typeof(RecommendationQueryResult)] = new RecommendationQueryResult("donghua-mse", "lambdarank-v3", When, "G60-2026-NEV-03",
            [Item with
            {
                Reasons =
                [
                    new Reason("text-match", "其项目与你的描述相符：《固态电池电解质界面 / Solid-state battery electrolyte interfaces (2024)》；匹配词：electrolyte、solid-state、固态电池",
                        "its projects match your text: \"固态电池电解质界面 / Solid-state battery electrolyte interfaces (2024)\"; matched terms: electrolyte, solid-state, 固态电池",
                        ["固态电池电解质界面 / Solid-state battery electrolyte interfaces (2024)", "electrolyte", "solid-state", "固态电池"]),
                    Item.Reasons[1],
                ],
            }], 612),
        [typeof(PairRecommendation)] = new PairRecommendation("donghua-mse", "tongji-auto", 0.8731, 1, false, Candidate, Item.Reasons, "lambdarank-v3", When,
            "accept", false, false),
        [typeof(OrganizationPageResponse)] = new OrganizationPageResponse([Organization], "ZG9uZ2h1YS1tc2U"),
        [typeof(GraphRecords)] = new GraphRecords
        {
            Organizations = [Organization],
            Projects = [new ProjectRecord { Id = "g60-nm-2025-01", Title = "碳纤维复合材料中试联合体 / Carbon-fibre composites pilot consortium", Year = 2025,
                Sector = "new-materials", SubField = "carbon-fibre",
                Summary = "高校纺丝工艺与企业中试线联合, 将碳纤维复合材料推向汽车与低空飞行器部件。 / University spinning know-how and a company pilot line take carbon-fibre composites to car and drone parts.",
                Keywords = ["碳纤维", "复合材料", "中试", "carbon fibre", "composites", "pilot production"],
                Topics = [new ProjectTopicRecord { Code = "G60-NM-2025-01", Title = "新材料中试平台 / New-materials pilot platforms" }],
                Members = [new ProjectMemberRecord { Org = "donghua-mse", Role = "academia" }, new ProjectMemberRecord { Org = "jx-lanxian-composites", Role = "industry" }] }],
            Ties = [new TieRecord { From = "donghua-mse", To = "songjiang-kcy", Type = "hosted-by", Year = 2023 }],
        },
        [typeof(ImportSummary)] = new ImportSummary(1, 1, 1),
        [typeof(FeedbackRequest)] = new FeedbackRequest("tongji-auto", "decline", "too-far", "团队在合肥, 希望长三角南翼的伙伴"),
        [typeof(FeedbackItem)] = new FeedbackItem(42, "donghua-mse", "tongji-auto", "decline", "too-far", "团队在合肥, 希望长三角南翼的伙伴", "3f2a9c0d1e4b5a68", When),
        [typeof(FeedbackListPage)] = new FeedbackListPage([new FeedbackItem(42, "donghua-mse", "tongji-auto", "accept", null, null, "3f2a9c0d1e4b5a68", When)], "NDI"),
        [typeof(MutualInterestResponse)] = new MutualInterestResponse("donghua-mse",
            [new MutualInterestItem("tongji-auto", Candidate, "accept", When, "contacted", When.AddDays(2))]),
        [typeof(CreateKeyRequest)] = new CreateKeyRequest("Songjiang park portal", ["read"], "donghua-mse", ["https://park.example.cn"]),
        [typeof(CreatedKeyResponse)] = new CreatedKeyResponse(Key, "mm_3f2a9c0d1e4b5a68_<secret, shown once>"),
        [typeof(IReadOnlyList<KeyResponse>)] = new[] { Key },
        [typeof(RunResponse)] = Run,
        [typeof(CreatePlanRequest)] = new CreatePlanRequest("baolong-auto", "new-energy-vehicles", null, "多传感器融合算法与轻量化合金 / sensor fusion, lightweight alloys",
            [new PlanSlotBody("学", null, null), new PlanSlotBody("finance", null, null)],
            new PlanConstraintsBody(["shanghai-songjiang", "suzhou", "hangzhou"], null, null, 2, null), 1, null),
        [typeof(ConsortiumPlan)] = Plan,
        [typeof(SubscriptionRequest)] = new SubscriptionRequest("email", "tech-transfer@dhu.example.cn",
            new SubscriptionFiltersBody(["enterprise", "financial-institution"], null, ["new-materials"], null), "both", null, null),
        [typeof(SubscriptionResponse)] = Subscription,
        [typeof(IReadOnlyList<SubscriptionResponse>)] = new[] { Subscription },
        [typeof(CreatedSubscriptionResponse)] = new CreatedSubscriptionResponse(Subscription, null),
        [typeof(DeliveryPage)] = new DeliveryPage("sub-7d3f2a", [Delivery], null),
        [typeof(WidgetMatches)] = new WidgetMatches("donghua-mse", "东华大学材料科学与工程学院", "zh", When,
            [new WidgetMatch("tongji-auto", 1, "同济大学汽车学院", "高校", "上海", ["具备您需要的能力: 动力电池热管理"])]),
        [typeof(IReadOnlyList<RunResponse>)] = new[] { Run },
        [typeof(ModelStatus)] = new ModelStatus(3, When, "LightGBM LambdaRank (ML.NET)", "labels from projects started in 2022, features from projects started before 2022",
            1840, 93_000, new ValidationMetrics("projects started in 2025", 0.2104, 0.2533, 0.3611, 212),
            new Dictionary<string, string> { ["iterations"] = "100", ["leaves"] = "31" }, PairFeatureExtractor.Count),
    };

    private static RunResponse Run => new("full-20261123T020000Z-1a2b", "full", "published", "lambdarank-v3", When, When.AddMinutes(2),
        20, 20, 100_000, 35_100_000, 310_000, null);

    /// <summary>Registers an example for a wire type defined elsewhere (feature modules call it at start-up).</summary>
    public static void Register(Type type, object example) => Examples[type] = example;

    public static bool Has(Type type) => Examples.ContainsKey(type);

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var body = context.ApiDescription.ParameterDescriptions.FirstOrDefault(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Body)?.Type
            ?? context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>().FirstOrDefault()?.RequestType;
        if (operation.RequestBody?.Content is { } requestContent && body is not null && Examples.TryGetValue(body, out var requestExample))
        {
            foreach (var media in requestContent.Where(m => m.Key.Contains("json", StringComparison.Ordinal)))
                if (media.Value is OpenApiMediaType m) m.Example = Node(requestExample);
        }
        if (operation.Responses is null) return;
        foreach (var (status, response) in operation.Responses)
        {
            if (response.Content is null) continue;
            var type = context.ApiDescription.SupportedResponseTypes.FirstOrDefault(r => r.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture) == status)?.Type;
            JsonNode? example = type is not null && Examples.TryGetValue(type, out var value) ? Node(value)
                : int.TryParse(status, out var code) && code >= 400 ? Node(Problem(code)) : null;
            if (example is null) continue;
            foreach (var media in response.Content) if (media.Value is OpenApiMediaType m) m.Example = example.DeepClone();
        }
    }

    private static object Problem(int status) => status == StatusCodes.Status400BadRequest
        ? new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["limit"] = [FieldErrors.Messages.Between(1, 100)] })
        {
            Status = 400, Title = "One or more validation errors occurred.", Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        }
        : new ProblemDetails
        {
            Status = status,
            Title = status switch
            {
                401 => "An API key is required.",
                403 => "This API key may not do this.",
                404 => "Organization not found.",
                409 => "The organization already exists.",
                413 => "The request body is too large.",
                415 => "Unsupported media type.",
                429 => "Too many requests.",
                503 => "The graph store is unavailable.",
                _ => "An unexpected error occurred.",
            },
            Detail = status switch
            {
                429 => "An API key may make 600 requests per 60 seconds; retry after 12 seconds.",
                404 => "No organization has id 'no-such-org'.",
                _ => null,
            },
        };

    private static JsonNode? Node(object value) => JsonSerializer.SerializeToNode(value, value.GetType(), WireJson.Options);
}
