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
        // The tests' embedding store: one per test process, never the user's, removed at exit. A test that counts
        // what was embedded passes a store of its own.
        string store = Path.Combine(Path.GetTempPath(), "imagecluster-tests", $"store-{Environment.ProcessId}");
        Environment.SetEnvironmentVariable(Store.StoreLocation.Variable, Path.Combine(store, "store.db"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(store, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
    }
}
