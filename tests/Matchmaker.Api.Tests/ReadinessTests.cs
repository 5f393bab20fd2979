using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Recommendations;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Matchmaker.Api.Tests;

/// <summary>Forwards every call to the real store and records the method's name.</summary>
public class RecordingProxy<T> : DispatchProxy where T : class
{
    public T Inner { get; private set; } = null!;
    public ConcurrentQueue<string> Calls { get; private set; } = null!;

    public static T Wrap(T inner, ConcurrentQueue<string> calls)
    {
        var proxy = Create<T, RecordingProxy<T>>();
        var recording = (RecordingProxy<T>)(object)proxy;
        (recording.Inner, recording.Calls) = (inner, calls);
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        Calls.Enqueue(targetMethod!.Name);
        try
        {
            return targetMethod.Invoke(Inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}

/// <summary>The real service whose graph and recommendation stores (the real SQLite ones) record the calls they get.</summary>
public sealed class RecordingStoresApiFactory : MatchmakerApiFactory
{
    public ConcurrentQueue<string> GraphCalls { get; } = new();
    public ConcurrentQueue<string> ListCalls { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            Decorate<IGraphStore>(services, GraphCalls);
            Decorate<IRecommendationStore>(services, ListCalls);
        });
    }

    private static void Decorate<T>(IServiceCollection services, ConcurrentQueue<string> calls) where T : class
    {
        var real = services.Last(d => d.ServiceType == typeof(T));
        var factory = real.ImplementationFactory ?? throw new InvalidOperationException($"{typeof(T).Name} is expected to be registered by a factory");
        services.AddSingleton(sp => RecordingProxy<T>.Wrap((T)factory(sp), calls));
    }
}

/// <summary>Readiness asks each store one cheap question (a row at most), never the graph's four counts.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task Readiness_pings_each_store_once_and_counts_nothing()
    {
        using var factory = new RecordingStoresApiFactory();
        var anonymous = factory.CreateClient();
        await PublishedLists.WaitForListAsync(factory.CreateAdminClient(), "tongji-auto");
        factory.GraphCalls.Clear();
        factory.ListCalls.Clear();

        for (var i = 0; i < 5; i++)
        {
            var ready = await anonymous.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
        }

        Assert.Equal(5, factory.GraphCalls.Count(c => c == nameof(IGraphStore.PingAsync)));
        Assert.DoesNotContain(nameof(IGraphStore.CountAsync), factory.GraphCalls);
        Assert.Equal(5, factory.ListCalls.Count(c => c == nameof(IRecommendationStore.PingAsync)));
    }
}
