namespace ImageCluster.Tests;

/// <summary>
/// Classes whose tests measure <see cref="GC.GetTotalAllocatedBytes(bool)"/> (process-wide, every thread): they run alone,
/// after the parallel tests, so other tests' allocations do not count against them.
/// </summary>
[CollectionDefinition(nameof(AllocationMeasurement), DisableParallelization = true)]
public sealed class AllocationMeasurement;
