using System.CommandLine;
using System.Text.Json;
using ImageCluster.Runs;
using ImageCluster.Pipeline;
using ImageCluster.Reports;

namespace ImageCluster.Cli;

/// <summary><c>imagecluster featuremaps IMAGE --model NAME (--layer NAME | --conv-index N) --out maps.png</c>.</summary>
internal static class FeatureMapsCommand
{
    /// <summary>The <c>featuremaps</c> command.</summary>
    public static Command Build(TextWriter stdout, TextWriter stderr, Option<string?> model)
    {
        var image = new Argument<string>("image") { Description = "The image to look at" };
        var layer = new Option<string?>("--layer") { Description = "Layer to draw: a tensor or node name from 'imagecluster models layers MODEL'" };
        var convIndex = new Option<int?>("--conv-index") { Description = "Layer to draw: the output of the N-th convolution (1-based, graph order)" };
        var channels = new Option<int>("--channels") { Description = "How many channels to draw, from channel 0", DefaultValueFactory = _ => new FeatureMapGridOptions().Channels };
        var output = new Option<string>("--out", "-o") { Description = "PNG file to write", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout" };
        var command = new Command("featuremaps", "Draw the first channels of one layer's feature map for an image as a PNG grid")
        {
            image, model, layer, convIndex, channels, output, json,
        };
        command.SetAction(parse =>
        {
            var summary = FeatureMapsJob.Run(new FeatureMapsJobOptions
            {
                Image = parse.GetValue(image)!,
                Output = parse.GetValue(output)!,
                Model = parse.GetValue(model),
                Layer = parse.GetValue(layer),
                ConvIndex = parse.GetValue(convIndex),
                Grid = new FeatureMapGridOptions { Channels = parse.GetValue(channels) },
            });
            foreach (var note in summary.Notes) stderr.WriteLine(note);
            if (parse.GetValue(json))
            {
                stdout.WriteLine(JsonSerializer.Serialize(summary, RunFolder.Json));
                return Cli.Success;
            }
            stdout.WriteLine($"{summary.Model} layer {summary.Layer} ({summary.OpType}" + (summary.ConvIndex is int c ? $", convolution {c}" : "") +
                             $", {string.Join("×", summary.Shape)}): {summary.Channels} channels in a {summary.Columns}×{summary.Rows} grid, " +
                             $"maps enlarged {summary.Scale}×, {summary.Width}×{summary.Height} px");
            stdout.WriteLine($"png: {summary.Output}");
            return Cli.Success;
        });
        return command;
    }
}
