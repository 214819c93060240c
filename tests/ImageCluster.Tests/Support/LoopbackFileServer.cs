using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ImageCluster.Tests;

/// <summary>How the server answers one request.</summary>
/// <param name="HonourRange">Answer a Range request with 206 and the rest of the file; false = 200 and the whole file.</param>
/// <param name="DropAfterBytes">Close the connection after this many body bytes (the headers still announce all of them).</param>
/// <param name="ExtraContentLength">Announce this many bytes more than are sent.</param>
/// <param name="StallAfterBytes">Send this many body bytes, then nothing more until the client closes the connection.</param>
public sealed record ServerBehaviour(bool HonourRange = true, long? DropAfterBytes = null, long ExtraContentLength = 0, long? StallAfterBytes = null);

/// <summary>
/// A tiny HTTP/1.1 file server on 127.0.0.1 (ephemeral port) that can misbehave on purpose: drop the connection,
/// overstate Content-Length, ignore Range. Serves at most <c>maxRequests</c> requests and stops on dispose.
/// </summary>
public sealed class LoopbackFileServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly byte[] _content;
    private readonly Func<int, ServerBehaviour> _behaviour;
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(2));
    private readonly Task _loop;

    public LoopbackFileServer(byte[] content, Func<int, ServerBehaviour>? behaviour = null, int maxRequests = 4)
    {
        _content = content;
        _behaviour = behaviour ?? (_ => new ServerBehaviour());
        _listener.Start();
        _loop = Task.Run(() => ServeAsync(maxRequests));
    }

    /// <summary>The Range header of every request in order (null when it had none).</summary>
    public ConcurrentQueue<string?> RangeHeaders { get; } = new();

    public Uri Url(string fileName) => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/{fileName}");

    private async Task ServeAsync(int maxRequests)
    {
        try
        {
            for (int i = 0; i < maxRequests; i++)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                await AnswerAsync(client, _behaviour(i));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task AnswerAsync(TcpClient client, ServerBehaviour behaviour)
    {
        var stream = client.GetStream();
        string head = await ReadHeadAsync(stream);
        string? range = head.Split("\r\n").Skip(1).Where(l => l.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))
            .Select(l => l["Range:".Length..].Trim()).FirstOrDefault();
        RangeHeaders.Enqueue(range);

        long from = 0;
        bool partial = behaviour.HonourRange && range is not null && range.StartsWith("bytes=", StringComparison.Ordinal)
                       && long.TryParse(range["bytes=".Length..].TrimEnd('-'), out from) && from < _content.Length;
        if (!partial) from = 0;
        var body = _content.AsMemory((int)from);
        var headers = new StringBuilder()
            .Append(partial ? "HTTP/1.1 206 Partial Content\r\n" : "HTTP/1.1 200 OK\r\n")
            .Append("Content-Type: application/octet-stream\r\n")
            .Append($"Content-Length: {body.Length + behaviour.ExtraContentLength}\r\n")
            .Append("Accept-Ranges: bytes\r\nConnection: close\r\n");
        if (partial) headers.Append($"Content-Range: bytes {from}-{_content.Length - 1}/{_content.Length}\r\n");
        headers.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(headers.ToString()), _stop.Token);
        int send = (int)Math.Min(body.Length, behaviour.DropAfterBytes ?? behaviour.StallAfterBytes ?? long.MaxValue);
        await stream.WriteAsync(body[..send], _stop.Token);
        await stream.FlushAsync(_stop.Token);
        // Stall until the client gives up and closes its end, so the next request is served.
        if (behaviour.StallAfterBytes is not null)
        {
            try
            {
                while (await stream.ReadAsync(new byte[1], _stop.Token) > 0)
                {
                }
            }
            catch (IOException)
            {
            }
            return;
        }
        client.Client.Shutdown(SocketShutdown.Send);
    }

    private async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 16384 && !(bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0) break;
            bytes.Add(one[0]);
        }
        return Encoding.ASCII.GetString([.. bytes]);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
