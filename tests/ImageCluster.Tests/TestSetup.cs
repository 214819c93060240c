using System.Runtime.CompilerServices;

namespace ImageCluster.Tests;

internal static class TestSetup
{
    /// <summary>The CLI resolves model names through $IMAGECLUSTER_MODELS, as a user would set it.</summary>
    [ModuleInitializer]
    internal static void UseSharedModels() =>
        Environment.SetEnvironmentVariable(Embedding.ModelResolver.ModelsVariable, SharedData.Models);
}
