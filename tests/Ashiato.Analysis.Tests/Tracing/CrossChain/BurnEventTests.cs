using Ashiato.Analysis.Tracing.CrossChain;
using Ashiato.Core;

namespace Ashiato.Analysis.Tests.Tracing.CrossChain;

/// <summary>The data of a <c>BridgeBurn(address,uint256,bytes)</c> log: ABI (uint256 amount, bytes script); malformed data names no destination.</summary>
public sealed class BurnEventTests
{
    private static byte[] Word(ulong v)
    {
        var w = new byte[32];
        for (var i = 0; i < 8; i++)
        {
            w[31 - i] = (byte)(v >> (8 * i));
        }

        return w;
    }

    private static byte[] Data(ulong amount, ulong offset, ulong length, byte[] script)
    {
        var padded = new byte[(script.Length + 31) / 32 * 32];
        script.CopyTo(padded, 0);
        return [.. Word(amount), .. Word(offset), .. Word(length), .. padded];
    }

    private static readonly byte[] P2wpkh = [0x00, 0x14, .. Enumerable.Range(1, 20).Select(i => (byte)i)];

    [Fact]
    public void WellFormed_GivesAmountAndScript()
    {
        var burn = MintingBridgePairer.DecodeBurn(Data(3_396_357_943, 64, 22, P2wpkh));
        Assert.NotNull(burn);
        Assert.Equal(new UInt256(3_396_357_943), burn.Value.Amount);
        Assert.Equal(P2wpkh, burn.Value.Script);
    }

    [Theory]
    [InlineData(64, 33)] // the length runs past the data (22 bytes padded to 32)
    [InlineData(64, 0)] // an empty script names nothing
    [InlineData(4096, 22)] // the offset points past the data
    [InlineData(80, 22)] // the offset leaves no room for the length word
    public void Malformed_NamesNoDestination(ulong offset, ulong length)
    {
        var data = Data(1000, offset, length, P2wpkh);
        Assert.Null(MintingBridgePairer.DecodeBurn(data[..Math.Min(data.Length, 128)]));
    }

    [Fact]
    public void Truncated_NamesNoDestination()
    {
        var data = Data(1000, 64, 22, P2wpkh);
        Assert.Null(MintingBridgePairer.DecodeBurn(data[..95]));
        Assert.Null(MintingBridgePairer.DecodeBurn([]));
    }
}
