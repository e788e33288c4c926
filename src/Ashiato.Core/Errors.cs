namespace Ashiato.Core;

/// <summary>
/// A problem with what the user gave us (a file, a node, an argument). The CLI prints the message
/// on one line and exits with code 1. The message names what and where.
/// </summary>
public class UserErrorException : Exception
{
    public UserErrorException(string message)
        : base(message)
    {
    }

    public UserErrorException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>Bytes that do not parse: names the source (file or block) and the byte offset.</summary>
public sealed class DataFormatException : UserErrorException
{
    public DataFormatException(string source, long offset, string problem)
        : base($"{source} at offset {offset}: {problem}")
    {
        Source = source;
        Offset = offset;
        Problem = problem;
    }

    public new string Source { get; }

    public long Offset { get; }

    public string Problem { get; }
}
