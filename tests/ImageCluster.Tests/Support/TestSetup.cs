using System.Runtime.CompilerServices;

namespace ImageCluster.Tests;

internal static class TestSetup
{
    /// <summary>
    /// With ../shared present, the CLI resolves the shared models through $IMAGECLUSTER_MODELS, as a user would set it.
    /// Without it, the default model built into the library is all a test can use.
    /// </summary>
    [ModuleInitializer]
    internal static void UseSharedModels()
    {
        if (SharedData.IsPresent)
            Environment.SetEnvironmentVariable(Embedding.ModelResolver.ModelsVariable, SharedData.Models);
        // The user cache of this test process (the embedding store, the extracted built-in model, embed's store), never
        // the real one of whoever runs the tests. A test that counts what was embedded passes a store of its own.
        string cache = Path.Combine(Path.GetTempPath(), $"imagecluster-tests-cache-{Environment.ProcessId}");
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", cache);
        Environment.SetEnvironmentVariable(Store.StoreLocation.Variable, null);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true); }
            catch (IOException) { } // best effort: a temp folder
        };
    }
}
