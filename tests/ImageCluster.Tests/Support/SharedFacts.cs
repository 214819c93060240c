using System.Runtime.CompilerServices;
using Xunit.Sdk;
using Xunit.v3;

namespace ImageCluster.Tests;

/// <summary>What a test may need beyond the clone: ../shared (research data, never committed) and Debian's Chromium.</summary>
public static class TestEnvironment
{
    public static bool HasShared => SharedData.IsPresent;

    public static bool HasChromium => File.Exists(ChromiumBrowser.ExecutablePath);

    public static bool HasSharedAndChromium => HasShared && HasChromium;

    /// <summary>Makes <paramref name="test"/> skip, with the reason, unless ../shared is present.</summary>
    internal static void RequireShared(FactAttribute test)
    {
        test.Skip = SharedData.MissingReason;
        test.SkipUnless = nameof(HasShared);
        test.SkipType = typeof(TestEnvironment);
    }

    public const string ChromiumMissing = "needs Debian's chromium (" + ChromiumBrowser.ExecutablePath + "; apt-get install -y chromium), which is absent here; .ci/run installs and runs it";
}

/// <summary>
/// Finds the tests that need ../shared only where it is present. Where it is absent (a fresh clone) they are left out
/// of the run, and <see cref="SharedGroupTests"/> says so in one line, with their number, instead of a line per test.
/// </summary>
public sealed class SharedTestDiscoverer : IXunitTestCaseDiscoverer
{
    private static readonly FactDiscoverer Fact = new();
    private static readonly TheoryDiscoverer Theory = new();

    public ValueTask<IReadOnlyCollection<IXunitTestCase>> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod,
        IFactAttribute factAttribute)
    {
        if (NeedsShared(factAttribute) && !TestEnvironment.HasShared) return new([]);
        return factAttribute is TheoryAttribute
            ? Theory.Discover(discoveryOptions, testMethod, factAttribute)
            : Fact.Discover(discoveryOptions, testMethod, factAttribute);
    }

    /// <summary>Whether the test of <paramref name="attribute"/> needs ../shared.</summary>
    public static bool NeedsShared(object attribute) => attribute is SharedFactAttribute or SharedTheoryAttribute or BrowserFactAttribute { Shared: true };
}

/// <summary>The ../shared group in one line: how many tests it has, and whether they run here.</summary>
public class SharedGroupTests
{
    [Fact]
    public void The_shared_group_runs_where_shared_is_present()
    {
        int tests = typeof(SharedGroupTests).Assembly.GetTypes().SelectMany(t => t.GetMethods())
            .Count(m => m.GetCustomAttributes(inherit: false).Any(SharedTestDiscoverer.NeedsShared));
        Assert.SkipUnless(TestEnvironment.HasShared, $"the ../shared group ({tests} tests) is left out: it {SharedData.MissingReason}");
        Assert.True(tests > 0, "no test carries a shared attribute: the group is empty");
        Assert.True(Directory.Exists(Path.Combine(SharedData.Root, "datasets")), $"{SharedData.Root} has no datasets folder: the group's tests will fail");
    }
}

/// <summary>A fact that needs ../shared: left out where it is absent (a fresh clone; see <see cref="SharedGroupTests"/>); always run by .ci/run.</summary>
[XunitTestCaseDiscoverer(typeof(SharedTestDiscoverer))]
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => TestEnvironment.RequireShared(this);
}

/// <summary>A theory that needs ../shared: left out where it is absent (see <see cref="SharedGroupTests"/>); always run by .ci/run.</summary>
[XunitTestCaseDiscoverer(typeof(SharedTestDiscoverer))]
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => TestEnvironment.RequireShared(this);
}

/// <summary>
/// A browser test (Debian's Chromium via Playwright): skipped with the reason where Chromium is absent, and with
/// <see cref="Shared"/> left out where ../shared is; always run by .ci/run.
/// </summary>
[XunitTestCaseDiscoverer(typeof(SharedTestDiscoverer))]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        Skip = TestEnvironment.ChromiumMissing;
        SkipUnless = nameof(TestEnvironment.HasChromium);
        SkipType = typeof(TestEnvironment);
    }

    /// <summary>Also needs ../shared (its data sets).</summary>
    public bool Shared
    {
        get => SkipUnless == nameof(TestEnvironment.HasSharedAndChromium);
        set
        {
            SkipUnless = value ? nameof(TestEnvironment.HasSharedAndChromium) : nameof(TestEnvironment.HasChromium);
            Skip = value ? $"{SharedData.MissingReason}; and it {TestEnvironment.ChromiumMissing}" : TestEnvironment.ChromiumMissing;
        }
    }
}
