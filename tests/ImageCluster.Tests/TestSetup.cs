using System.Runtime.CompilerServices;

namespace ImageCluster.Tests;

internal static class TestSetup
{
    /// <summary>The CLI resolves model names through $IMAGECLUSTER_MODELS, as a user would set it.</summary>
    [ModuleInitializer]
    internal static void UseSharedModels()
    {
        Environment.SetEnvironmentVariable(Embedding.ModelResolver.ModelsVariable, SharedData.Models);
        // The user cache (where 'embed' keeps its store) of this test process, not the real one of whoever runs the tests.
        string cache = Path.Combine(Path.GetTempPath(), $"imagecluster-tests-cache-{Environment.ProcessId}");
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", cache);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true); }
            catch (IOException) { } // best effort: a temp folder
        };
    }
}
