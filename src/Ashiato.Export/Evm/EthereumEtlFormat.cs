namespace Ashiato.Export.Evm;

/// <summary>The two file kinds ethereum-etl writes (chosen there by the output file's extension).</summary>
public enum EthereumEtlFormat
{
    /// <summary>Python <c>csv</c> module output: header row (only once there is a row), minimal quoting, lists joined by ",".</summary>
    Csv,

    /// <summary>JSON lines as Python's <c>json.dumps</c> writes them (", " and ": " separators, ASCII with \u escapes).</summary>
    Json,
}

/// <summary>Which ethereum-etl release's columns to write.</summary>
public enum EthereumEtlVersion
{
    /// <summary>ethereum-etl 2.3.x: the columns of its recorded test outputs (no Cancun blob columns).</summary>
    V2_3,

    /// <summary>
    /// ethereum-etl 2.4.x: adds <c>blob_gas_used, excess_blob_gas</c> to blocks,
    /// <c>max_fee_per_blob_gas, blob_versioned_hashes</c> to transactions and <c>blob_gas_price, blob_gas_used</c> to
    /// receipts, at the end of each row.
    /// </summary>
    V2_4,
}
