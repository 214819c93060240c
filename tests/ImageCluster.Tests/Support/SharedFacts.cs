using System.Runtime.CompilerServices;

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

/// <summary>A fact that needs ../shared: skipped, with the reason, where it is absent (a fresh clone); always run by .ci/run.</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => TestEnvironment.RequireShared(this);
}

/// <summary>A theory that needs ../shared: skipped, with the reason, where it is absent; always run by .ci/run.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => TestEnvironment.RequireShared(this);
}

/// <summary>A browser test (Debian's Chromium via Playwright): skipped with the reason where Chromium is absent; always run by .ci/run.</summary>
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
