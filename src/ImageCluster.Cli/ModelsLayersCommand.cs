using System.CommandLine;
using System.Text.Json;
using ImageCluster.Runs;
using ImageCluster.Embedding;
using ImageCluster.Pipeline;

namespace ImageCluster.Cli;

/// <summary><c>imagecluster models layers NAME</c>: the layers <c>--layer</c> and <c>featuremaps</c> can read, with their shapes.</summary>
internal static class ModelsLayersCommand
{
    /// <summary>The <c>layers</c> subcommand, to be added to the <c>models</c> command.</summary>
    public static Command Build(TextWriter stdout)
    {
        var name = new Argument<string>("model") { Description = "Model name or path to an .onnx file of the catalogue" };
        var json = new Option<bool>("--json") { Description = "Print the list as JSON on stdout" };
        var command = new Command("layers", "List the convolution, pooling, dense, residual-sum and activation outputs of a model with their shapes")
        {
            name, json,
        };
        command.SetAction(parse =>
        {
            var list = ModelLayers.List(ModelResolver.Resolve(parse.GetValue(name)));
            if (parse.GetValue(json))
            {
                stdout.WriteLine(JsonSerializer.Serialize(list, RunFolder.Json));
                return Cli.Success;
            }
            Print(stdout, list);
            return Cli.Success;
        });
        return command;
    }

    private static void Print(TextWriter stdout, ModelLayerList list)
    {
        int nameWidth = Math.Max(5, list.Layers.Max(l => l.Name.Length));
        int nodeWidth = Math.Max(4, list.Layers.Max(l => l.Node.Length));
        static string Op(LayerInfo l) => l.OpType + (l.Dequantized ? " (dequantized)" : "");
        int opWidth = list.Layers.Max(l => Op(l).Length);
        stdout.WriteLine($"{list.Model}: {list.Layers.Count} layers ({list.Layers.Count(l => l.ConvIndex is not null)} convolutions) in {list.File}");
        stdout.WriteLine($"{"conv",4}  {"layer".PadRight(nameWidth)}  {"node".PadRight(nodeWidth)}  {"op".PadRight(opWidth)}  shape (per image)");
        foreach (var l in list.Layers)
        {
            string shape = string.Join("×", l.Shape) + (l.Shape.Count == 3 ? $" {(l.Layout == TensorLayout.Nchw ? "CHW" : "HWC")}" : "");
            stdout.WriteLine($"{(l.ConvIndex is int c ? c.ToString(System.Globalization.CultureInfo.InvariantCulture) : ""),4}  {l.Name.PadRight(nameWidth)}  {l.Node.PadRight(nodeWidth)}  {Op(l).PadRight(opWidth)}  {shape}");
        }
    }
}
