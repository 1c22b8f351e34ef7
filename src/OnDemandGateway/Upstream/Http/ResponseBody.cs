using System.Buffers.Text;

namespace OnDemandGateway.Upstream.Http;

/// <summary>The body of one upstream response, de-framed (Content-Length, chunked, or up to the connection's
/// end). A body that ends early throws <see cref="HttpIOException"/> with <see cref="HttpRequestError.ResponseEnded"/>.
/// <see cref="IsComplete"/> tells the response whether the connection can be reused.</summary>
internal sealed class ResponseBody : Stream
{
    private const int MaxChunkLine = 4 * 1024;

    /// <summary>Chunks at least this large are read straight into the caller's memory rather than through the
    /// connection's buffer.</summary>
    private const int DirectReadSize = 4 * 1024;

    private readonly UpstreamConnection _connection;
    private readonly bool _chunked;
    private readonly bool _untilClose;
    private long _remaining;           // of the body (Content-Length) or of the current chunk
    private ChunkState _state;

    private enum ChunkState { Size, Data, DataEnd, Trailers, Done }

    public ResponseBody(UpstreamConnection connection, ResponseHead head)
    {
        _connection = connection;
        _chunked = head.Chunked;
        _untilClose = !head.Chunked && head.ContentLength is null;
        _remaining = head.ContentLength ?? 0;
        _state = ChunkState.Size;
        IsComplete = !_chunked && !_untilClose && _remaining == 0;
    }

    /// <summary>The whole body has been read (and, when chunked, its trailers).</summary>
    public bool IsComplete { get; private set; }

    /// <summary>A zero-byte read waits, holding no receive buffer, until body bytes may be read (or the
    /// connection ends); then it returns 0. Otherwise the bytes read, 0 at the end of the body.</summary>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (IsComplete) return 0;
        if (buffer.IsEmpty)
        {
            // Framing already received (the line end after a chunk, the next size line) is consumed first, so a
            // body between chunks leaves nothing in the connection's buffer and the wait holds none.
            while (_chunked && _state != ChunkState.Data && TryReadFraming())
            {
            }
            if (!IsComplete) await _connection.WaitForDataAsync(cancellationToken);
            return 0;
        }
        if (_untilClose)
        {
            var read = await _connection.ReadAsync(buffer, cancellationToken);
            if (read == 0) IsComplete = true;
            return read;
        }
        if (!_chunked)
        {
            var read = await _connection.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
            if (read == 0) throw Ended();
            _remaining -= read;
            if (_remaining == 0) IsComplete = true;
            return read;
        }
        while (true)
        {
            // Every chunk already received, up to the caller's buffer: a burst of events (one chunk each) comes
            // back from one read, so the relay translates and flushes them together.
            var copied = CopyBuffered(buffer.Span);
            if (copied > 0 || IsComplete) return copied;
            if (_state == ChunkState.Data && _remaining >= DirectReadSize && buffer.Length >= DirectReadSize)
            {
                // A large chunk goes straight into the caller's memory.
                var read = await _connection.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
                if (read == 0) throw Ended();
                _remaining -= read;
                if (_remaining == 0) _state = ChunkState.DataEnd;
                return read;
            }
            if (!await _connection.FillAsync(MaxChunkLine, cancellationToken)) throw Ended();
        }
    }

    /// <summary>Chunk data and framing from the connection's buffer into <paramref name="destination"/>, without
    /// I/O, until either runs out; the bytes copied.</summary>
    private int CopyBuffered(Span<byte> destination)
    {
        var total = 0;
        while (total < destination.Length)
        {
            if (_state == ChunkState.Data)
            {
                var available = _connection.Buffered;
                if (available.IsEmpty) break;
                var count = (int)Math.Min(Math.Min(available.Length, _remaining), destination.Length - total);
                available[..count].CopyTo(destination[total..]);
                _connection.Consume(count);
                total += count;
                _remaining -= count;
                if (_remaining == 0) _state = ChunkState.DataEnd;
            }
            else if (!TryReadFraming())
            {
                break;
            }
        }
        return total;
    }

    /// <summary>Reads to the end of the body from what is already buffered, without waiting on the network (the
    /// end of a chunked body usually arrives with its last event). False when more bytes are needed.</summary>
    public bool TryFinishBuffered()
    {
        if (!_chunked) return IsComplete;
        Span<byte> discard = stackalloc byte[512];
        while (!IsComplete && CopyBuffered(discard) > 0)
        {
        }
        return IsComplete;
    }

    /// <summary>Consumes one buffered framing line (chunk size, the line end after chunk data, or a trailer).
    /// False when no whole line is buffered, or the body is complete.</summary>
    private bool TryReadFraming()
    {
        if (_state is ChunkState.Data or ChunkState.Done) return false;
        var buffered = _connection.Buffered;
        var newline = buffered.IndexOf((byte)'\n');
        if (newline < 0) return false;
        var line = buffered[..newline];
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
        switch (_state)
        {
            case ChunkState.Size:
            {
                var size = line;
                if (size.IndexOf((byte)';') is var extension and >= 0) size = size[..extension];   // chunk extensions
                size = size.Trim((byte)' ').Trim((byte)'\t');
                if (!Utf8Parser.TryParse(size, out ulong length, out var used, 'x') || used != size.Length || length > long.MaxValue)
                    throw ResponseHeadParser.Invalid("a chunk size is not hexadecimal");
                _remaining = (long)length;
                _state = length == 0 ? ChunkState.Trailers : ChunkState.Data;
                break;
            }
            case ChunkState.DataEnd:
                if (!line.IsEmpty) throw ResponseHeadParser.Invalid("a chunk is longer than its size");
                _state = ChunkState.Size;
                break;
            default:   // trailers, up to the empty line
                if (line.IsEmpty)
                {
                    _state = ChunkState.Done;
                    IsComplete = true;
                }
                break;
        }
        _connection.Consume(newline + 1);
        return !IsComplete;
    }

    private static HttpIOException Ended() => new(HttpRequestError.ResponseEnded, "The upstream closed the connection before the response body ended.");

    // The gateway never reads the upstream synchronously.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
