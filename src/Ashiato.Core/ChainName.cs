namespace Ashiato.Core;

/// <summary>The name a chain has in the store and on the command line ("bitcoin", "litecoin-regtest", …).</summary>
public readonly record struct ChainName(string Value)
{
    public override string ToString() => Value;
}
