using Google.Protobuf;
using Onnx;

namespace ImageCluster.Embedding;

/// <summary>A float tensor of the graph made a graph output by <see cref="OnnxGraphEditor"/>.</summary>
/// <param name="Layer">The tensor the user named (a node output).</param>
/// <param name="Output">The graph output carrying its float values: the tensor itself, or a DequantizeLinear of it.</param>
/// <param name="Node">The node producing <paramref name="Layer"/>.</param>
/// <param name="OpType">That node's operator.</param>
/// <param name="Layout">Where the channel axis of a 4-D map is.</param>
/// <param name="Dequantized">True when the tensor is 8-bit quantized and <paramref name="Output"/> is its dequantized float copy.</param>
internal sealed record ExposedLayer(string Layer, string Output, string Node, string OpType, TensorLayout Layout, bool Dequantized);

/// <summary>
/// Edits an ONNX model in memory before ONNX Runtime loads it: intermediate tensors become extra graph outputs, and 8-bit
/// quantized tensors of QOperator graphs (QLinearConv, QLinearAdd, …) get a DequantizeLinear with the scale and zero point
/// their producing node quantized them with, so callers always read float features. No existing node changes, so the
/// model's own outputs stay bit-identical.
/// </summary>
internal sealed class OnnxGraphEditor
{
    private readonly ModelProto _model;
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _outputs = new(StringComparer.Ordinal);

    /// <summary>Operators whose output is the uint8/int8 tensor they name, with the input positions of that tensor's scale and zero point.</summary>
    private static readonly Dictionary<string, (int Scale, int ZeroPoint)> QuantizedProducers = new(StringComparer.Ordinal)
    {
        ["QuantizeLinear"] = (1, 2),
        ["QLinearConv"] = (6, 7),
        ["QLinearMatMul"] = (6, 7),
        ["QLinearAdd"] = (6, 7),
        ["QLinearMul"] = (6, 7),
        ["QLinearGlobalAveragePool"] = (3, 4),
        ["QLinearAveragePool"] = (3, 4),
        ["QLinearLeakyRelu"] = (3, 4),
        ["QLinearSigmoid"] = (3, 4),
    };

    /// <summary>Parses the model.</summary>
    /// <exception cref="ModelNotFoundException">The bytes are not an ONNX model.</exception>
    public OnnxGraphEditor(byte[] model, string source)
    {
        try
        {
            _model = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelNotFoundException($"{source} is not an ONNX model: {e.Message}");
        }
        Source = source;
        foreach (var node in Graph.Node)
            foreach (string output in node.Output)
                _producers[output] = node;
        foreach (var output in Graph.Output) _outputs.Add(output.Name);
    }

    private GraphProto Graph => _model.Graph;

    /// <summary>The file the model came from, for messages.</summary>
    public string Source { get; }

    /// <summary>The nodes in graph (topological) order.</summary>
    public IReadOnlyList<NodeProto> Nodes => Graph.Node;

    /// <summary>The first graph input that is not an initializer (the image).</summary>
    public string ImageInput
    {
        get
        {
            var initializers = Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            return Graph.Input.First(i => !initializers.Contains(i.Name)).Name;
        }
    }

    /// <summary>The model as bytes, with every output added so far.</summary>
    public byte[] ToBytes() => _model.ToByteArray();

    /// <summary>
    /// Makes the tensor called <paramref name="name"/> (or the first output of the node called so) a float graph output.
    /// </summary>
    /// <exception cref="ArgumentException">No such tensor (ParamName <c>Layer</c>).</exception>
    /// <exception cref="ImageClusterException">A tensor that is neither float nor dequantizable.</exception>
    public ExposedLayer Expose(string name)
    {
        if (!_producers.TryGetValue(name, out var producer))
        {
            producer = Graph.Node.FirstOrDefault(n => n.Name == name)
                ?? throw new ArgumentException($"{Source} has no layer '{name}'", "Layer");
            name = producer.Output[0];
        }
        var layout = producer.OpType == "Transpose" && producer.Attribute.FirstOrDefault(a => a.Name == "perm") is { } perm
                     && perm.Ints.SequenceEqual([0L, 2, 3, 1]) ? TensorLayout.Nhwc : TensorLayout.Nchw;
        string output = name;
        bool dequantized = false;
        if (QuantizedProducers.TryGetValue(producer.OpType, out var q) && producer.Input.Count > q.ZeroPoint)
        {
            dequantized = true;
            // Reuse the graph's own DequantizeLinear where it has one (e.g. the last feature map of MobileNetV2 int8),
            // so the values are exactly those the model itself goes on with.
            var existing = Graph.Node.FirstOrDefault(n => n.OpType == "DequantizeLinear" && n.Input.Count > 0 && n.Input[0] == name);
            if (existing is not null) output = existing.Output[0];
            else
            {
                output = name + "_float";
                if (!_producers.ContainsKey(output))
                {
                    var dequantize = new NodeProto { OpType = "DequantizeLinear", Name = output + "_DequantizeLinear" };
                    dequantize.Input.Add([name, producer.Input[q.Scale], producer.Input[q.ZeroPoint]]);
                    dequantize.Output.Add(output);
                    Graph.Node.Add(dequantize);
                    _producers[output] = dequantize;
                }
            }
        }
        else if (producer.OpType.StartsWith("QLinear", StringComparison.Ordinal) || IsQuantizedPassThrough(producer))
        {
            throw new ImageClusterException($"layer '{name}' of {Source} is an 8-bit tensor whose scale is not known here ({producer.OpType}); " +
                                     "pick the output of a QLinearConv, QLinearAdd or QLinearMatMul instead");
        }
        if (_outputs.Add(output))
            Graph.Output.Add(new ValueInfoProto
            {
                Name = output,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        return new ExposedLayer(name, output, producer.Name, producer.OpType, layout, dequantized);
    }

    // Shape-only operators (Reshape, Flatten, …) on a quantized input keep it quantized.
    private bool IsQuantizedPassThrough(NodeProto node) =>
        node.OpType is "Reshape" or "Flatten" or "Transpose" or "Squeeze" or "Unsqueeze" &&
        node.Input.Count > 0 && _producers.TryGetValue(node.Input[0], out var source) &&
        (QuantizedProducers.ContainsKey(source.OpType) || IsQuantizedPassThrough(source));
}
