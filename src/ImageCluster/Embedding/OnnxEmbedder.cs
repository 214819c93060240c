using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace ImageCluster.Embedding;

/// <summary>Runs an ONNX image model on the CPU with ONNX Runtime and returns its pooled-feature output.</summary>
public sealed class OnnxEmbedder : IEmbedder
{
    private readonly InferenceSession _session;
    private readonly InferenceSession? _preprocess;
    private readonly string _preprocessInput = "", _preprocessOutput = "";
    private readonly RunOptions _runOptions = new();

    /// <summary>Loads the model and checks its inputs and outputs against the descriptor.</summary>
    /// <param name="model">The located model.</param>
    /// <param name="threads">Intra-op threads; 0 = one per core.</param>
    /// <exception cref="ModelNotFoundException">The file does not load or does not match the descriptor.</exception>
    public OnnxEmbedder(ResolvedModel model, int threads = 0)
    {
        Descriptor = model.Descriptor;
        if (model.Path is null) throw new ArgumentException("An ONNX model needs a file.", nameof(model));
        _session = Load(model.Path, threads);
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
        long[] shape = Descriptor.ChannelsLast
            ? [n, Descriptor.Height, Descriptor.Width, 3]
            : [n, 3, Descriptor.Height, Descriptor.Width];
        // ONNX Runtime only reads the input, so the read-only batch can be lent to it without a copy.
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, MemoryMarshal.AsMemory(inputs), shape);
        if (_preprocess is null)
        {
            RunModel(input, embeddings);
            return;
        }
        using var prepared = _preprocess.Run(_runOptions, [_preprocessInput], [input], [_preprocessOutput]);
        RunModel(prepared[0], embeddings);
    }

    private void RunModel(OrtValue input, Span<float> embeddings)
    {
        using var results = _session.Run(_runOptions, [Descriptor.Input], [input], [Descriptor.EmbeddingOutput]);
        results[0].GetTensorDataAsSpan<float>()[..embeddings.Length].CopyTo(embeddings);
    }

    private static InferenceSession Load(string path, int threads)
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
            return new InferenceSession(path, options);
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
