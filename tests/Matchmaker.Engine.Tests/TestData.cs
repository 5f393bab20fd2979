using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Tests;

/// <summary>Builders for uniquely keyed test data, so that tests never depend on each other's rows.</summary>
internal static class TestData
{
    public static string NewId(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)];

    public static Organization Org(
        string? id = null,
        string nameZh = "测试科技有限公司",
        string? nameEn = "Test Technology Co.",
        OrganizationKind kind = OrganizationKind.Enterprise,
        string city = "hangzhou",
        string[]? sectors = null,
        string[]? subFields = null,
        string[]? aliases = null,
        string[]? capabilities = null,
        string[]? needs = null) =>
        new(id ?? NewId("org"), nameZh, nameEn, kind, city, aliases ?? [], sectors ?? ["new-materials"], subFields ?? [],
            capabilities ?? ["pilot-production"], needs ?? ["venture-funding"], "测试 / test", 50);

    public static Project Project(string? id, int year, params (string Org, ConsortiumRole Role)[] members) =>
        new(id ?? NewId("prj"), "测试项目 / Test project", year, "new-materials", null, members.Select(m => new ProjectMember(m.Org, m.Role)));
}
