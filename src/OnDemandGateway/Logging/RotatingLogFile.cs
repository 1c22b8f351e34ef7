using System.Text;

namespace OnDemandGateway.Logging;

/// <summary>
/// The log file behind <see cref="FileLoggerProvider"/>: appends lines, and before a line would take it past
/// <c>maxBytes</c> renames it to <c>path.1</c> (an existing <c>path.1</c> to <c>path.2</c>, and so on, keeping
/// <c>backups</c> of them) and starts a new file, as Python's <c>RotatingFileHandler</c> does. <c>maxBytes</c> 0
/// never rotates. Used by one writer at a time (the provider's pump). The file stays open with read, write and
/// delete sharing, so operators can still tail it or rotate it themselves (copy-truncate).
/// </summary>
internal sealed class RotatingLogFile : IDisposable
{
    private static readonly int NewLineBytes = Encoding.UTF8.GetByteCount(Environment.NewLine);

    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _backups;
    private StreamWriter _writer;
    private long _size;

    public RotatingLogFile(string path, long maxBytes, int backups)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(backups, 1);
        _path = Path.GetFullPath(path);
        _maxBytes = maxBytes;
        _backups = backups;
        var directory = Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        (_writer, _size) = Open(_path);
    }

    public async ValueTask WriteLineAsync(string line)
    {
        var bytes = Encoding.UTF8.GetByteCount(line) + NewLineBytes;
        // A file that is still empty takes even a line longer than the limit, so rotation always makes progress.
        if (_maxBytes > 0 && _size > 0 && _size + bytes > _maxBytes) await RotateAsync().ConfigureAwait(false);
        await _writer.WriteLineAsync(line).ConfigureAwait(false);
        _size += bytes;
    }

    public Task FlushAsync() => _writer.FlushAsync();

    private async Task RotateAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);   // flushes first
        string? failure = null;
        try
        {
            File.Delete(Backup(_backups));   // nothing to do when it does not exist
            for (var i = _backups - 1; i >= 1; i--)
            {
                if (File.Exists(Backup(i))) File.Move(Backup(i), Backup(i + 1), overwrite: true);
            }
            File.Move(_path, Backup(1), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failure = e.Message;
        }
        (_writer, _size) = Open(_path);
        if (failure is not null)
        {
            // Keep appending to the same file, and try again only after another maxBytes, not on every line.
            _size = 0;
            await _writer.WriteLineAsync($"[file logger] could not rotate {_path}: {failure}").ConfigureAwait(false);
        }
    }

    private string Backup(int index) => $"{_path}.{index}";

    private static (StreamWriter Writer, long Size) Open(string path)
    {
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        return (new StreamWriter(stream) { AutoFlush = false }, stream.Length);
    }

    public void Dispose() => _writer.Dispose();
}
