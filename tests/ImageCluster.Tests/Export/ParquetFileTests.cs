using ImageCluster.Export;
using Parquet;
using Parquet.Schema;

namespace ImageCluster.Tests;

/// <summary>
/// Parquet features: ours read back exactly; the layouts other tools write (float columns of any width, nullable columns,
/// one list column per row) read as features; a file that cannot be features is one line naming it, and the CLI writes nothing.
/// </summary>
public class ParquetFileTests
{
    [Fact]
    public void Round_trips_names_and_values_across_row_groups()
    {
        using var temp = new TempFolder();
        var rng = new Random(3);
        int rows = 70_000, columns = 3; // more than one row group of 65 536
        var data = Enumerable.Range(0, rows * columns).Select(_ => (float)rng.NextDouble()).ToArray();
        var paths = Enumerable.Range(0, rows).Select(i => $"d{i % 7}/img{i}.jpg").ToArray();
        ParquetFile.Write(temp.Combine("x.parquet"), paths, new FeatureMatrix(rows, columns, data));
        var table = FeaturesFile.Read(temp.Combine("x.parquet"));
        Assert.Equal(paths, table.Paths);
        Assert.Equal(data, table.Features.Data);
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp"));
    }

    [Fact]
    public async Task Reads_nullable_double_and_float_columns_in_schema_order_beside_other_columns()
    {
        using var temp = new TempFolder();
        var path = new DataField<string>("path");
        var a = new DataField<double?>("a");
        var label = new DataField<string>("label");
        var b = new DataField<float>("b");
        var count = new DataField<long>("count");
        await using (var stream = File.Create(temp.Combine("x.parquet")))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(path, a, label, b, count), stream))
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync(path, new[] { "p.jpg", "q.jpg" });
            await group.WriteAsync<double>(a, new double?[] { 1.5, -2 }.AsMemory());
            await group.WriteAsync(label, new[] { "x", "y" });
            await group.WriteAsync<float>(b, new[] { 0.25f, 4f }.AsMemory());
            await group.WriteAsync<long>(count, new long[] { 7, 8 }.AsMemory());
        }
        var table = FeaturesFile.Read(temp.Combine("x.parquet"));
        Assert.Equal(["p.jpg", "q.jpg"], table.Paths);
        Assert.Equal([1.5f, 0.25f, -2f, 4f], table.Features.Data);
        Assert.Equal(2, table.Features.Columns);
    }

    [Fact]
    public async Task Reads_one_list_column_as_one_vector_per_row()
    {
        using var temp = new TempFolder();
        var path = new DataField<string>("path");
        var embedding = new ListField("embedding", new DataField<float?>("element"));
        var element = (DataField)embedding.Item;
        await using (var stream = File.Create(temp.Combine("x.parquet")))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(path, embedding), stream))
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync(path, new[] { "a", "b", "c" });
            await group.WriteAsync<float>(element, new float?[] { 1, 2, 3, 4, 5, 6 }.AsMemory(), new int[] { 0, 1, 0, 1, 0, 1 }.AsMemory());
        }
        var table = FeaturesFile.Read(temp.Combine("x.parquet"));
        Assert.Equal(["a", "b", "c"], table.Paths);
        Assert.Equal((3, 2), (table.Features.Rows, table.Features.Columns));
        Assert.Equal([1f, 2, 3, 4, 5, 6], table.Features.Data);

        await using (var stream = File.Create(temp.Combine("ragged.parquet")))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(path, embedding), stream))
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync(path, new[] { "a", "b" });
            await group.WriteAsync<float>(element, new float?[] { 1, 2, 3 }.AsMemory(), new int[] { 0, 1, 0 }.AsMemory());
        }
        Assert.Equal("ragged.parquet row 2: the list embedding holds 1 values where the first row holds 2",
            Path.GetFileName(Assert.Throws<ImageClusterException>(() => FeaturesFile.Read(temp.Combine("ragged.parquet"))).Message));
    }

    [Fact]
    public async Task A_file_without_float_columns_or_with_nulls_is_one_line_naming_it()
    {
        using var temp = new TempFolder();
        var path = new DataField<string>("path");
        var count = new DataField<int>("count");
        await using (var stream = File.Create(temp.Combine("ints.parquet")))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(path, count), stream))
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync(path, new[] { "a" });
            await group.WriteAsync<int>(count, new[] { 1 }.AsMemory());
        }
        var message = Assert.Throws<ImageClusterException>(() => FeaturesFile.Read(temp.Combine("ints.parquet"))).Message;
        Assert.Contains("ints.parquet: no float columns (found path (string), count (int32))", message);

        var a = new DataField<float?>("a");
        await using (var stream = File.Create(temp.Combine("nulls.parquet")))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(path, a), stream))
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync(path, new[] { "a", "b" });
            await group.WriteAsync<float>(a, new float?[] { 1, null }.AsMemory());
        }
        Assert.Contains("nulls.parquet row 2: column a is empty (null)", Assert.Throws<ImageClusterException>(() => FeaturesFile.Read(temp.Combine("nulls.parquet"))).Message);

        var b = new DataField<float>("b");
        await using (var stream = File.Create(temp.Combine("nan.parquet")))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(path, b), stream))
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync(path, new[] { "a", "b" });
            await group.WriteAsync<float>(b, new[] { 1f, float.NaN }.AsMemory());
        }
        Assert.Contains("nan.parquet row 2 (b): a value is NaN; features must be finite numbers",
            Assert.Throws<ImageClusterException>(() => FeaturesFile.Read(temp.Combine("nan.parquet"))).Message);

        File.WriteAllText(temp.Combine("text.parquet"), "path,f0\na.jpg,1\n");
        Assert.Contains("text.parquet is not a readable Parquet file", Assert.Throws<ImageClusterException>(() => FeaturesFile.Read(temp.Combine("text.parquet"))).Message);
    }

    [Fact]
    public async Task Cluster_refuses_a_parquet_file_without_float_columns_and_writes_nothing()
    {
        using var temp = new TempFolder();
        var path = new DataField<string>("path");
        await using (var stream = File.Create(temp.Combine("names.parquet")))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(path), stream))
        using (var group = writer.CreateRowGroup())
            await group.WriteAsync(path, new[] { "a", "b", "c" });
        var run = await CliRunner.RunAsync("cluster", "--features", temp.Combine("names.parquet"), "--k", "2", "--out", temp.Combine("run"));
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.Contains("names.parquet: no float columns (found path (string))", run.Stderr);
        Assert.False(Directory.Exists(temp.Combine("run")));
    }
}
