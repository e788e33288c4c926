using Ashiato.Chains.Bitcoin.BlockFiles;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Chains.Bitcoin.Tests.Parsing;
using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.Tests.BlockFiles;

public class NetworkTests
{
    [Fact]
    public void BitcoinMainGenesisHash_IsTheHashOfTheFirstBlockInNBitcoinBlk00000()
    {
        var source = BlockFileSource.Open(TestData.Path("nbitcoin", "blk00000.dat"), null);
        var genesis = new BlockParser().Parse(source.Read(source.Blocks[0]), "genesis", 8);

        Assert.Equal(Network.BitcoinMain.GenesisHash, genesis.Hash);
        Assert.True(genesis.Header.PrevHash.IsZero);
        Assert.Equal("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", genesis.Header.MerkleRoot.ToString());
        Assert.Equal(2083236893u, genesis.Header.Nonce); // bitcoinj BlockTest.testGenesisBlock
        Assert.Equal(1231006505u, genesis.Header.Time);
        Assert.Equal(0x1d00ffffu, genesis.Header.Bits);
    }

    [Fact]
    public void ByMagic_MainnetMagic_IsBitcoinMainOnly()
    {
        Assert.Equal([Network.BitcoinMain], Network.ByMagic([0xf9, 0xbe, 0xb4, 0xd9]));
        Assert.Equal([Network.LitecoinMain], Network.ByMagic([0xfb, 0xc0, 0xb6, 0xdb]));
        Assert.Empty(Network.ByMagic([0, 0, 0, 0]));
    }

    [Theory]
    [InlineData("mainnet", "bitcoin")]
    [InlineData("BTC", "bitcoin")]
    [InlineData(" testnet ", "bitcoin-testnet3")]
    [InlineData("testnet4", "bitcoin-testnet4")]
    [InlineData("ltc", "litecoin")]
    [InlineData("litecoin-regtest", "litecoin-regtest")]
    public void Parse_NamesAndAliases_FindTheNetwork(string name, string expected)
    {
        Assert.Equal(expected, Network.Parse(name).Name);
    }

    [Fact]
    public void Parse_UnknownName_IsUserError()
    {
        var e = Assert.Throws<UserErrorException>(() => Network.Parse("dogecoin"));

        Assert.Contains("unknown network 'dogecoin'", e.Message);
    }
}
