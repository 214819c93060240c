using ImageCluster.Embedding;
using ImageCluster.Images;

namespace ImageCluster.Reports;

/// <summary>Options of <see cref="FeatureMapsJob"/> (one image's activations at one layer, as a picture).</summary>
internal sealed record FeatureMapsJobOptions
{
    /// <summary>The image whose feature maps are drawn.</summary>
    public required string Image { get; init; }

    /// <summary>PNG file to write.</summary>
    public required string Output { get; init; }

    /// <summary>Model name or path; null = the default model (built into the library).</summary>
    public string? Model { get; init; }

    /// <summary>Folders where model names are looked up; null = <c>$IMAGECLUSTER_MODELS</c>, then the user cache.</summary>
    public IReadOnlyList<string>? ModelFolders { get; init; }

    /// <summary>The layer by tensor or node name; exactly one of this and <see cref="ConvIndex"/>.</summary>
    public string? Layer { get; init; }

    /// <summary>The layer as the output of the N-th convolution (1-based, graph order).</summary>
    public int? ConvIndex { get; init; }

    /// <summary>Grid size and tiles.</summary>
    public FeatureMapGridOptions Grid { get; init; } = new();
}

/// <summary>What <see cref="FeatureMapsJob"/> drew.</summary>
/// <param name="Image">Absolute image path.</param>
/// <param name="Output">Absolute PNG path.</param>
/// <param name="Model">Model name.</param>
/// <param name="Layer">The tensor drawn.</param>
/// <param name="OpType">Its operator.</param>
/// <param name="ConvIndex">The convolution number asked for, if any.</param>
/// <param name="Shape">The layer's shape for one image.</param>
/// <param name="Channels">Tiles drawn.</param>
/// <param name="Columns">Tiles per row.</param>
/// <param name="Rows">Rows of tiles.</param>
/// <param name="Width">PNG width.</param>
/// <param name="Height">PNG height.</param>
/// <param name="Scale">Nearest-neighbour enlargement of the maps.</param>
/// <param name="GridLeft">Left edge of the grid in the PNG (the input image is to its left).</param>
/// <param name="GridTop">Top edge of the grid in the PNG (the title is above it).</param>
/// <param name="Notes">Things the user must be told (checksum mismatch).</param>
internal sealed record FeatureMapsSummary(string Image, string Output, string Model, string Layer, string OpType, int? ConvIndex, IReadOnlyList<long> Shape,
    int Channels, int Columns, int Rows, int Width, int Height, int Scale, int GridLeft, int GridTop, IReadOnlyList<string> Notes);

/// <summary>
/// Image → one layer's feature map → PNG of its first channels in a grid, titled with the model, layer and image, beside
/// the image as the model received it (<see cref="FeatureMapFigure"/>).
/// </summary>
internal static class FeatureMapsJob
{
    /// <summary>Runs the job. User mistakes surface as <see cref="ImageClusterException"/> or <see cref="ModelNotFoundException"/>.</summary>
    public static FeatureMapsSummary Run(FeatureMapsJobOptions o)
    {
        if ((o.Layer is null) == (o.ConvIndex is null))
            throw new ArgumentException("give either Layer or ConvIndex", "Layer");
        o.Grid.Validate();
        string image = Path.GetFullPath(o.Image);
        if (!File.Exists(image)) throw new ImageClusterException($"image not found: {image}");
        var model = ModelResolver.Resolve(o.Model, o.ModelFolders);
        string layer = o.Layer ?? ModelLayers.List(model).ByConvIndex(o.ConvIndex!.Value).Name;
        model = model.WithLayer(new LayerSelection(layer));

        var d = model.Descriptor;
        byte[] rgb;
        try
        {
            rgb = ImageDecoder.DecodeRgb(File.ReadAllBytes(image), d.Width, d.Height, d.Resize);
        }
        catch (ImageDecodeException e)
        {
            throw new ImageClusterException($"{image}: {e.Message}");
        }
        var input = new float[rgb.Length];
        TensorPreprocessor.Fill(d, rgb, input);
        using var embedder = new OnnxEmbedder(model);
        var map = embedder.ReadLayer(input);
        int drawn = Math.Min(o.Grid.Channels, map.Channels);
        var caption = new FeatureMapCaption(
            $"{d.Name} · layer {map.Layer} ({map.OpType}{(o.ConvIndex is int c ? $", convolution {c}" : "")}, {string.Join("×", map.Shape)}) · {Path.GetFileName(image)}",
            $"channels 0–{drawn - 1} of {map.Channels}, each scaled to its own minimum…maximum (viridis: dark = low, yellow = high)",
            rgb, d.Width, d.Height, $"input as the model sees it ({d.Width}×{d.Height}, {d.Resize.ToString().ToLowerInvariant()})");
        var figure = FeatureMapFigure.Render(map, caption, o.Grid);
        var grid = figure.Grid;

        string output = Path.GetFullPath(o.Output);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        File.WriteAllBytes(output, grid.Png);
        return new FeatureMapsSummary(image, output, d.Name, map.Layer, map.OpType, o.ConvIndex, map.Shape, grid.Channels, grid.Columns, grid.Rows,
            grid.Width, grid.Height, grid.Scale, grid.GridLeft, grid.GridTop, model.Notes);
    }
}
