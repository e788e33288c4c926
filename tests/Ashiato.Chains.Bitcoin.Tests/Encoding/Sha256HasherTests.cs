using System.Security.Cryptography;
using Ashiato.Chains.Bitcoin.Encoding;

namespace Ashiato.Chains.Bitcoin.Tests.Encoding;

public sealed class Sha256HasherTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(55)]
    [InlineData(56)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(300)]
    [InlineData(100_000)]
    public void Hash_EqualsDotNetSha256_ForEveryLength(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        using var hasher = new Sha256Hasher();
        var ours = new byte[32];
        hasher.Hash(data, ours);
        Assert.Equal(SHA256.HashData(data), ours);

        // split appends, then reuse of the same context
        hasher.Append(data.AsSpan(0, length / 3));
        hasher.Append(data.AsSpan(length / 3));
        hasher.Finish(ours);
        Assert.Equal(SHA256.HashData(data), ours);
        hasher.DoubleHash(data, ours);
        Assert.Equal(SHA256.HashData(SHA256.HashData(data)), ours);
    }

    [Fact]
    public void Finish_WithNothingAppended_IsTheEmptyHash()
    {
        using var hasher = new Sha256Hasher();
        var ours = new byte[32];
        hasher.Finish(ours);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(ours));
    }

    [Fact]
    public void OnThisLinuxMachine_TheNativeLibcryptoPathIsUsed()
    {
        // .NET itself loads libcrypto on Linux; if this fails the fast path silently fell back (a performance regression).
        Assert.True(!OperatingSystem.IsLinux() || Sha256Hasher.IsNative);
    }
}
