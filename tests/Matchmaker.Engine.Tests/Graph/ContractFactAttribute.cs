using Xunit.Abstractions;
using Xunit.Sdk;

namespace Matchmaker.Engine.Tests.Graph;

/// <summary>
/// A fact of a contract suite (<see cref="GraphStoreContract"/>): it runs in every derived test class, except in one
/// marked <see cref="RequiresEnvironmentVariableAttribute"/> while that variable is unset, where it is reported as
/// skipped with the class's reason. A plain [Fact]'s Skip is fixed where the method is declared, in the base class,
/// so it cannot say "skip for this adapter only".
/// </summary>
[XunitTestCaseDiscoverer("Matchmaker.Engine.Tests.Graph.ContractFactDiscoverer", "Matchmaker.Engine.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContractFactAttribute : FactAttribute;

/// <summary>The derived contract class runs only when the environment variable is set (read when the tests are discovered, not built).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresEnvironmentVariableAttribute(string variable, string reason) : Attribute
{
    public string Variable { get; } = variable;
    public string Reason { get; } = reason;
}

public sealed class ContractFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var requirement = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresEnvironmentVariableAttribute)).FirstOrDefault();
        if (requirement is not null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(requirement.GetConstructorArguments().First() as string ?? "")))
        {
            return new SkippedTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod,
                requirement.GetConstructorArguments().Skip(1).First() as string ?? "skipped");
        }
        return base.CreateTestCase(discoveryOptions, testMethod, factAttribute);
    }
}

/// <summary>A test case reported as skipped with a reason chosen at discovery.</summary>
public sealed class SkippedTestCase : XunitTestCase
{
    private string _reason = "";

    [Obsolete("For deserialization only.")]
    public SkippedTestCase()
    {
    }

    public SkippedTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod testMethod, string reason)
        : base(sink, display, displayOptions, testMethod) => _reason = reason;

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _reason;

    public override void Serialize(IXunitSerializationInfo data)
    {
        data.AddValue("SkipReason", _reason);
        base.Serialize(data);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        // Before the base: it computes the skip reason while it initializes.
        _reason = data.GetValue<string>("SkipReason");
        base.Deserialize(data);
    }
}
