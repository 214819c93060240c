using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;


namespace ImageCluster.Embedding;

/// <summary>
/// Runs an ONNX image model on the CPU with ONNX Runtime and returns its pooled-feature output, or, when the resolved model
/// names a <see cref="ResolvedModel.Layer"/>, that intermediate tensor pooled as asked.
/// </summary>
internal sealed class OnnxEmbedder : IEmbedder
{
    private readonly InferenceSession _session;
    private readonly InferenceSession? _preprocess;
    private readonly string _preprocessInput = "", _preprocessOutput = "";
    private readonly RunOptions _runOptions = new();
    private readonly string _output;
    private readonly LayerSelection? _layer;
    private readonly long[] _layerShape = [];

    /// <summary>Loads the model and checks its inputs and outputs against the descriptor.</summary>
    /// <param name="model">The located model.</param>
    /// <param name="threads">Intra-op threads; 0 = one per core.</param>
    /// <exception cref="ModelNotFoundException">The file does not load or does not match the descriptor.</exception>
    public OnnxEmbedder(ResolvedModel model, int threads = 0)
    {
        Descriptor = model.Descriptor;
        if (model.Path is null) throw new ArgumentException("An ONNX model needs a file.", nameof(model));
        _layer = model.Layer;
        if (_layer is null)
        {
            _session = Load(model.Path, threads);
            // Zoo files name a pooling node inside the graph as their embedding (e.g. ResNet-50's resnetv17_pool1_fwd):
            // made a graph output here, so such a catalogue entry works without a converted copy of the file.
            if (!_session.OutputMetadata.ContainsKey(Descriptor.EmbeddingOutput) && ExposeIntermediate(model.Path, Descriptor.EmbeddingOutput) is { } edited)
            {
                _session.Dispose();
                _session = Load(edited, model.Path, threads);
            }
        }
        else
        {
            var editor = new OnnxGraphEditor(File.ReadAllBytes(model.Path), model.Path);
            Layer = editor.Expose(_layer.Name);
            try
            {
                _session = Load(editor.ToBytes(), model.Path, threads);
            }
            catch (ModelNotFoundException e) when (e.Message.Contains("Type Error", StringComparison.Ordinal))
            {
                // The unedited file loads (catalogue models are checked), so a type clash comes from the output we added.
                throw new ImageClusterException($"layer '{_layer.Name}' of {model.Path} is not a float tensor and cannot be used as features " +
                                         $"({e.Message[(e.Message.IndexOf("Type Error", StringComparison.Ordinal))..]})");
            }
        }
        _output = Layer?.Output ?? Descriptor.EmbeddingOutput;
        // The edited graph keeps every original output, so the file is checked against its descriptor either way.
        try
        {
            Dimension = ModelSignature.Check(model.Path, Descriptor, _session.InputMetadata, _session.OutputMetadata);
        }
        catch
        {
            _session.Dispose();
            throw;
        }

        if (model.PreprocessPath is not null)
        {
            _preprocess = Load(model.PreprocessPath, threads);
            _preprocessInput = _preprocess.InputMetadata.Keys.Single();
            _preprocessOutput = _preprocess.OutputMetadata.Keys.Single();
        }
        if (Layer is not null)
        {
            // Shape inference does not reach every intermediate tensor (symbolic batch, CNTK-era graphs): one blank image tells.
            var map = ReadLayer(new float[Descriptor.Width * Descriptor.Height * 3]);
            _layerShape = [.. map.Shape];
            Dimension = FeaturePooling.Dimension(_layerShape, Layer.Layout, _layer!.Pool);
        }
    }

    /// <summary>The intermediate tensor read instead of the embedding output; null when the embedding is read.</summary>
    internal ExposedLayer? Layer { get; }

    /// <summary>Shape of one image's layer map (batch axis removed) and its layout; empty when no layer is read.</summary>
    public IReadOnlyList<long> LayerShape => _layerShape;

    /// <summary>
    /// The raw (unpooled) layer map of one preprocessed image, as <see cref="ResolvedModel.Layer"/> names it.
    /// </summary>
    /// <param name="input">One image in the descriptor's layout and scaling (<c>Width × Height × 3</c> values).</param>
    /// <exception cref="InvalidOperationException">The embedder reads the embedding output, not a layer.</exception>
    public LayerMap ReadLayer(ReadOnlyMemory<float> input)
    {
        if (Layer is null) throw new InvalidOperationException("This embedder reads the embedding output; resolve the model with a layer.");
        using var results = Run(input, 1);
        long[] dims = results[0].GetTensorTypeAndShape().Shape;
        return new LayerMap(Layer.Layer, Layer.OpType, dims.Length > 1 ? dims[1..] : dims, Layer.Layout, results[0].GetTensorDataAsSpan<float>().ToArray());
    }

    /// <inheritdoc />
    public ModelDescriptor Descriptor { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public void Embed(ReadOnlyMemory<float> inputs, int count, Span<float> embeddings)
    {
        int length = Descriptor.Width * Descriptor.Height * 3;
        if (inputs.Length < count * length || embeddings.Length < count * Dimension)
            throw new ArgumentException("Buffers are smaller than count images.");
        int batch = Descriptor.DynamicBatch ? count : 1;
        for (int start = 0; start < count; start += batch)
        {
            int n = Math.Min(batch, count - start);
            RunBatch(inputs.Slice(start * length, n * length), n, embeddings.Slice(start * Dimension, n * Dimension));
        }
    }

    private void RunBatch(ReadOnlyMemory<float> inputs, int n, Span<float> embeddings)
    {
        using var results = Run(inputs, n);
        var values = results[0].GetTensorDataAsSpan<float>();
        if (_layer is null)
        {
            if (values.Length != embeddings.Length)
                throw new InvalidDataException($"model {Descriptor.Name}: output '{_output}' gave {values.Length / n} values per image, the descriptor says {Dimension}");
            values.CopyTo(embeddings);
            return;
        }
        int perImage = values.Length / n;
        for (int i = 0; i < n; i++)
            FeaturePooling.Pool(values.Slice(i * perImage, perImage), _layerShape, Layer!.Layout, _layer.Pool, embeddings.Slice(i * Dimension, Dimension));
    }

    // Runs the model (after its preprocessing graph) on n images; the caller disposes the one output it asked for.
    private IDisposableReadOnlyCollection<OrtValue> Run(ReadOnlyMemory<float> inputs, int n)
    {
        long[] shape = Descriptor.ChannelsLast
            ? [n, Descriptor.Height, Descriptor.Width, 3]
            : [n, 3, Descriptor.Height, Descriptor.Width];
        // ONNX Runtime only reads the input, so the read-only batch can be lent to it without a copy.
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, MemoryMarshal.AsMemory(inputs), shape);
        if (_preprocess is null) return _session.Run(_runOptions, [Descriptor.Input], [input], [_output]);
        using var prepared = _preprocess.Run(_runOptions, [_preprocessInput], [input], [_preprocessOutput]);
        return _session.Run(_runOptions, [Descriptor.Input], [prepared[0]], [_output]);
    }

    // The model with the intermediate tensor made a graph output, or null when the graph has no such tensor (the signature
    // check then reports the missing output).
    private static byte[]? ExposeIntermediate(string path, string tensor)
    {
        var editor = new OnnxGraphEditor(File.ReadAllBytes(path), path);
        try
        {
            editor.Expose(tensor);
        }
        catch (Exception e) when (e is ImageClusterException or ArgumentException)
        {
            return null;
        }
        return editor.ToBytes();
    }

    private static InferenceSession Load(string path, int threads) => Load(null, path, threads);

    // bytes: the edited model; path names it in messages (and is loaded when bytes is null).
    private static InferenceSession Load(byte[]? bytes, string path, int threads)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads > 0 ? threads : Environment.ProcessorCount,
            InterOpNumThreads = 1,
        };
        // Spinning workers would steal the cores that decode the next batch while this one runs.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        // Int8 models (the default MobileNetV2) on x86 CPUs without VNNI: ORT's U8S8 kernels saturate 16-bit
        // intermediates and the features drift far from the reference (cosine 0.94 on an AVX2-only EPYC). The U8U8
        // path is exact; ORT applies it only where the CPU needs it.
        options.AddSessionConfigEntry("session.x64quantprecision", "1");
        try
        {
            return bytes is null ? new InferenceSession(path, options) : new InferenceSession(bytes, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelNotFoundException($"{path} is not a loadable ONNX model: {e.Message}");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        _preprocess?.Dispose();
        _runOptions.Dispose();
    }
}
