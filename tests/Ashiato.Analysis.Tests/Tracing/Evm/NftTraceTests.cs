using Ashiato.Analysis.Tracing;
using Ashiato.Analysis.Tracing.Evm;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using static Ashiato.Analysis.Tests.Tracing.Evm.EvmTraceTestChain;

namespace Ashiato.Analysis.Tests.Tracing.Evm;

/// <summary>Forward traces through NFTs: bought with tainted value, moved, sold; amounts checked by hand, conservation exact.</summary>
public sealed class NftTraceTests
{
    private static readonly string[] Names = ["z", "s", "p", "q", "b", "x", "market", "art", "usdt", "ex", "(burnt)", "(unknown)", "(minted)"];

    private static string N(string address) => Names.FirstOrDefault(n => A(n).ToString() == address) ?? address;

    private static TraceOptions Opts(TaintModel model) => new() { Model = model, Direction = TraceDirection.Forward, Fiats = [] };

    private static string Art(ulong id) => $"{A("art")}#{id}";

    /// <summary>"hop from>to tainted/amount rule asset" with names for the test's addresses and "art#id" for its NFTs.</summary>
    private static List<string> Lines(TraceResult r) =>
        TraceAssert.Lines(r, N).Zip(r.Edges, (line, e) => $"{line} {(e.Asset.StartsWith(A("art").ToString(), StringComparison.Ordinal) ? "art" + e.Asset[e.Asset.IndexOf('#', StringComparison.Ordinal)..] : N(e.Asset))}").ToList();

    [Theory]
    [InlineData(TaintModel.Haircut)]
    [InlineData(TaintModel.Fifo)]
    [InlineData(TaintModel.Poison)]
    public void BoughtMovedAndSold_TheProceedsCarryTheTaint(TaintModel model)
    {
        using var c = new EvmTraceTestChain();
        var seed = c.Tx(Eth("s", "p", 10));
        c.EndBlock();
        // p buys art #7 from x through a marketplace: p pays the market, the market pays x, the token goes x → p
        c.Tx(Eth("p", "market", 10), Internal("market", "x", 10), Nft("art", "x", "p", 7));
        c.EndBlock();
        c.Tx(Nft("art", "p", "q", 7)); // to p's other wallet: nothing paid
        c.EndBlock();
        // q sells it to b for 25: b pays the market, the market pays q
        c.Tx(Eth("b", "market", 25), Internal("market", "q", 25), Nft("art", "q", "b", 7));
        c.Commit();
        var r = new EvmTracer(c.Store).Run([Transfer(seed, 0)], Opts(model));
        var lines = Lines(r);
        Assert.Equal(
        [
            "0 s>p 10/10 follow ETH",
            "1 p>market 10/10 swap:follow ETH",
            "1 x>p 10/10 follow art#7",
            "2 p>q 10/10 follow art#7",
            "2 q>b 10/10 swap:follow art#7",
            "2 market>q 25/25 follow ETH",
            "2 q>q 25/25 end:unspent ETH",
        ], lines);
        Assert.DoesNotContain(r.Edges, e => N(e.To[(Name.Length + 1)..]) is "x" or "b" && e.Rule != TraceRules.SwapFollow);
        var purchase = r.Edges[1];
        Assert.StartsWith("NFT purchase: ETH → " + Art(7), purchase.Detail, StringComparison.Ordinal);
        Assert.Contains("amounts in ETH", r.Edges[2].Detail, StringComparison.Ordinal);
        Assert.StartsWith("NFT sale: " + Art(7) + " for 25 ETH", r.Edges[4].Detail, StringComparison.Ordinal);
        TraceAssert.Conserved(r);
        Assert.False(r.Partial);
    }

    [Fact]
    public void Haircut_TheNftCarriesTheTaintedShareOfItsPrice_AndSoDoItsProceeds()
    {
        using var c = new EvmTraceTestChain();
        c.Tx(Eth("z", "p", 30));
        c.EndBlock();
        var seed = c.Tx(Eth("s", "p", 10));
        c.EndBlock();
        c.Tx(Eth("p", "x", 20), Nft("art", "x", "p", 1)); // bought straight from the seller: 20 × 10/40 = 5 tainted
        c.EndBlock();
        c.Tx(Token("usdt", "b", "p", 4000), Nft("art", "p", "b", 1)); // sold for 4000 USDT: 4000 × 5/20 = 1000
        c.Commit();
        var r = new EvmTracer(c.Store).Run([Transfer(seed, 0)], Opts(TaintModel.Haircut));
        var lines = Lines(r);
        Assert.Contains("1 p>x 5/20 swap:follow ETH", lines);
        Assert.Contains("1 x>p 5/20 follow art#1", lines);
        Assert.Contains("1 p>b 5/20 swap:follow art#1", lines);
        Assert.Contains("1 b>p 1000/4000 follow usdt", lines);
        Assert.Contains("1 p>p 1000/4000 end:unspent usdt", lines);
        Assert.Contains("0 p>p 5/20 end:unspent ETH", lines); // the other 5 tainted stay in p's 20 ETH
        TraceAssert.Conserved(r);
    }

    [Fact]
    public void AnNftStillHeld_IsAnEndpointWithItsTaintedPrice()
    {
        using var c = new EvmTraceTestChain();
        var seed = c.Tx(Eth("s", "p", 8));
        c.EndBlock();
        c.Tx(Eth("p", "art", 8), Nft("art", null, "p", 42)); // a paid mint: the NFT contract is paid and mints to p
        c.Commit();
        var r = new EvmTracer(c.Store).Run([Transfer(seed, 0)], Opts(TaintModel.Haircut));
        var lines = Lines(r);
        Assert.Contains("1 p>art 8/8 swap:follow ETH", lines);
        Assert.Contains("1 (minted)>p 8/8 follow art#42", lines);
        Assert.Contains("1 p>p 8/8 end:unspent art#42", lines);
        var held = Assert.Single(r.Edges, e => e.Rule == TraceRules.Unspent);
        Assert.Equal(Art(42), held.Asset);
        Assert.Contains("amounts in ETH", held.Detail, StringComparison.Ordinal);
        var endpoint = Assert.Single(r.Summary.ByRule, e => e.Asset == Art(42));
        Assert.Equal((UInt256)8, endpoint.Tainted);
        TraceAssert.Conserved(r);
    }

    [Fact]
    public void Erc1155_PartOfTheTokensMoves_PriceAndTaintInProportion()
    {
        using var c = new EvmTraceTestChain();
        var seed = c.Tx(Eth("s", "p", 40));
        c.EndBlock();
        c.Tx(Eth("p", "x", 40), Multi("art", "x", "p", 3, 4)); // 4 tokens of id 3 for 40
        c.EndBlock();
        c.Tx(Multi("art", "p", "q", 3, 1)); // one of them to q
        c.Commit();
        var r = new EvmTracer(c.Store).Run([Transfer(seed, 0)], Opts(TaintModel.Haircut));
        var lines = Lines(r);
        Assert.Contains("1 x>p 40/40 follow art#3", lines);
        Assert.Contains("2 p>q 10/10 follow art#3", lines);
        Assert.Contains("1 p>p 30/30 end:unspent art#3", lines);
        Assert.Contains("2 q>q 10/10 end:unspent art#3", lines);
        TraceAssert.Conserved(r);
    }

    [Fact]
    public void SeveralNftsBoughtTogether_ShareThePriceEqually_RemainderToTheFirst()
    {
        using var c = new EvmTraceTestChain();
        var seed = c.Tx(Eth("s", "p", 11));
        c.EndBlock();
        c.Tx(Eth("p", "market", 11), Nft("art", "x", "p", 1), Nft("art", "x", "p", 2));
        c.Commit();
        var r = new EvmTracer(c.Store).Run([Transfer(seed, 0)], Opts(TaintModel.Poison));
        var lines = Lines(r);
        Assert.Contains("1 x>p 6/6 follow art#1", lines);
        Assert.Contains("1 x>p 5/5 follow art#2", lines);
        TraceAssert.Conserved(r);
    }

    [Fact]
    public void AnNftDepositedAtAnExchange_StopsThere()
    {
        using var c = new EvmTraceTestChain();
        var seed = c.Tx(Eth("s", "p", 6));
        c.EndBlock();
        c.Tx(Eth("p", "x", 6), Nft("art", "x", "p", 5));
        c.EndBlock();
        c.Tx(Nft("art", "p", "ex", 5)); // deposited at an exchange
        c.Commit();
        var labels = new FakeLabels(c.Store, ("ex", "some-exchange", "exchange"));
        var r = new EvmTracer(c.Store, labels: labels).Run([Transfer(seed, 0)], Opts(TaintModel.Haircut));
        var lines = Lines(r);
        Assert.Contains("2 p>ex 6/6 stop:service art#5", lines);
        Assert.DoesNotContain(r.Edges, e => e.Rule == TraceRules.Unspent);
        TraceAssert.Conserved(r);
    }

    [Fact]
    public void SwapsNotFollowed_ThePaymentGoesOnAsBefore()
    {
        using var c = new EvmTraceTestChain();
        var seed = c.Tx(Eth("s", "p", 10));
        c.EndBlock();
        c.Tx(Eth("p", "market", 10), Internal("market", "x", 10), Nft("art", "x", "p", 7));
        c.Commit();
        var r = new EvmTracer(c.Store).Run([Transfer(seed, 0)], Opts(TaintModel.Haircut) with { FollowSwaps = false });
        var lines = Lines(r);
        Assert.Contains("1 p>market 10/10 follow ETH", lines);
        Assert.Contains("2 market>x 10/10 follow ETH", lines);
        Assert.DoesNotContain(r.Edges, e => e.Asset.Contains('#', StringComparison.Ordinal));
        TraceAssert.Conserved(r);
    }

    [Fact]
    public void SameInputs_SameEdges()
    {
        using var c = new EvmTraceTestChain();
        var seed = c.Tx(Eth("s", "p", 10));
        c.EndBlock();
        c.Tx(Eth("p", "market", 10), Nft("art", "x", "p", 1), Nft("art", "x", "p", 2));
        c.EndBlock();
        c.Tx(Nft("art", "p", "q", 2));
        c.Tx(Eth("b", "p", 30), Nft("art", "p", "b", 1));
        c.Commit();
        var tracer = new EvmTracer(c.Store);
        var first = Lines(tracer.Run([Transfer(seed, 0)], Opts(TaintModel.Haircut)));
        var second = Lines(tracer.Run([Transfer(seed, 0)], Opts(TaintModel.Haircut)));
        Assert.Equal(first, second);
        Assert.Contains("2 p>q 5/5 follow art#2", first);
        Assert.Contains("1 b>p 30/30 follow ETH", first);
    }
}
