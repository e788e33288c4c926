using System.Globalization;
using System.Text;
using System.Text.Json;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Encoding;
using Ashiato.Core;

namespace Ashiato.TestSupport.Evm;

/// <summary>
/// Drives a varied, deterministic economy on an anvil node: ~125 transactions in 18 blocks, several per block
/// (automine off), covering ETH transfers (to dev accounts and fresh addresses), contract deployments, ERC-20
/// mint/transfer/approve/transferFrom/burn, ERC-721 mint/transfer, ERC-1155 single and batch mints and transfers,
/// WETH deposit/withdraw/transfer, a 20-way FanOut, failed top-level calls (status 0), a try/catch with a
/// reverting internal call carrying value, CREATE2 with value (and a CREATE2 collision), SELFDESTRUCT with a
/// balance (twice, since after Cancun the vault survives), a transaction from an impersonated fresh address,
/// and an empty block.
/// </summary>
/// <remarks>
/// Fixed senders, order, amounts and gas limits; fresh addresses are derived from a fixed seed
/// (<see cref="FreshAddress"/>). On a fresh node started with the default <see cref="AnvilOptions"/> (fixed
/// genesis timestamp, fifo order) the scenario sets a 12 s block interval, so every run yields the same
/// transaction and block hashes. Every block is checked as it is mined: all of its transactions included,
/// each with the status it was meant to have; the scenario throws otherwise. Automine and the block
/// interval are restored at the end.
/// </remarks>
public static class EvmScenario
{
    public const ulong BlockIntervalSeconds = 12;

    private const ulong TransferGas = 21_000;
    private const ulong CallGas = 300_000;
    private const ulong FailingCallGas = 100_000;
    private const ulong DeployGas = 3_000_000;
    private const ulong FanGas = 1_500_000;
    private const int FanRecipients = 20;

    /// <summary>Fresh address <paramref name="index"/>: the last 20 bytes of keccak256("ashiato/evm-scenario/fresh/{index}").</summary>
    public static EvmAddress FreshAddress(int index) =>
        new(Keccak256.Hash(Encoding.ASCII.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"ashiato/evm-scenario/fresh/{index}")))[12..]);

    /// <summary>A CREATE2 salt: keccak256("ashiato/evm-scenario/salt/{index}").</summary>
    public static EvmHash Salt(int index) =>
        new(Keccak256.Hash(Encoding.ASCII.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"ashiato/evm-scenario/salt/{index}"))));

    /// <summary>Runs the scenario on <paramref name="node"/> (which needs its 10 dev accounts) and returns what it did.</summary>
    public static async Task<EvmScenarioResult> RunAsync(AnvilNode node, CancellationToken ct = default)
    {
        if (node.Accounts.Count < 10)
        {
            throw new InvalidOperationException($"The scenario needs 10 dev accounts; the node has {node.Accounts.Count}.");
        }

        var artifacts = await ContractArtifacts.LoadAsync(ct);
        var automine = await node.GetAutomineAsync(ct);
        await node.SetAutomineAsync(false, ct);
        await node.SetBlockTimestampIntervalAsync(BlockIntervalSeconds, ct);
        try
        {
            return await new Run(node, artifacts, ct).ExecuteAsync();
        }
        finally
        {
            await node.CallAsync("anvil_removeBlockTimestampInterval", [], CancellationToken.None);
            await node.SetAutomineAsync(automine, CancellationToken.None);
        }
    }

    private static UInt256 Milli(ulong n) => (UInt256)n * 1_000_000_000_000_000UL;

    private static UInt256 Tokens(ulong n) => (UInt256)n * 1_000_000_000_000_000_000UL;

    /// <summary>One run: the pending block, the ledgers and everything sent.</summary>
    private sealed class Run(AnvilNode node, ContractArtifacts artifacts, CancellationToken ct)
    {
        private readonly EvmAddress[] _a = node.Accounts.Take(10).ToArray();
        private readonly List<Pending> _pending = [];
        private readonly List<EvmScenarioTransaction> _done = [];
        private readonly Dictionary<EvmHash, JsonElement> _receipts = [];
        private readonly Dictionary<string, EvmAddress> _contracts = new(StringComparer.Ordinal);
        private readonly HashSet<EvmAddress> _addresses = [];
        private readonly SortedDictionary<int, EvmAddress> _fresh = [];
        private readonly HashSet<EvmAddress> _paidGas = [];
        private readonly Dictionary<EvmAddress, UInt256> _eth = [];
        private readonly Dictionary<EvmAddress, UInt256> _token = [];
        private readonly Dictionary<UInt256, EvmAddress> _nft = [];
        private readonly Dictionary<(EvmAddress, UInt256), UInt256> _multi = [];
        private readonly Dictionary<EvmAddress, UInt256> _weth = [];
        private ulong _firstBlock;
        private ulong _lastBlock;

        private EvmAddress Token => _contracts["TestToken"];

        private EvmAddress Nft => _contracts["TestNft"];

        private EvmAddress Multi => _contracts["TestMulti"];

        private EvmAddress Weth => _contracts["Weth"];

        private EvmAddress Reverter => _contracts["Reverter"];

        private EvmAddress Factory => _contracts["Factory"];

        private EvmAddress Vault => _contracts["Vault"];

        public async Task<EvmScenarioResult> ExecuteAsync()
        {
            var a = _a;
            var beneficiary = Fresh(60);

            // Block 1: deployments, and a little ETH.
            var deployments = new List<(string Name, EvmHash Hash)>();
            foreach (var (name, args) in new (string, byte[]?)[]
                     {
                         ("TestToken", Abi.EncodeArguments(["uint256"], [Tokens(1_000_000)])),
                         ("TestNft", null), ("TestMulti", null), ("Weth", null), ("FanOut", null), ("Reverter", null), ("Factory", null),
                     })
            {
                deployments.Add((name, await Send(EvmScenarioKind.ContractDeployment, $"deploy {name}", a[0], null, 0, artifacts[name].DeployData(args), DeployGas)));
            }

            deployments.Add(("Vault", await Send(
                EvmScenarioKind.ContractDeployment, "deploy Vault with 0.5 ETH", a[1], null, Milli(500),
                artifacts["Vault"].DeployData(Abi.EncodeArguments(["address"], [beneficiary])), DeployGas)));
            await EthAsync(a[2], a[3], Milli(1000));
            await EthAsync(a[3], Fresh(0), Milli(250));
            await MineAsync();
            foreach (var (name, hash) in deployments)
            {
                var address = EvmAddress.Parse(_receipts[hash].GetProperty("contractAddress").GetString()!);
                _contracts[name] = address;
                _addresses.Add(address);
            }

            _token[a[0]] = Tokens(1_000_000);
            Credit(_eth, Vault, Milli(500));

            // Block 2: an ETH ring through the dev accounts, and ETH to fresh addresses.
            for (var i = 0; i < 10; i++)
            {
                await EthAsync(a[i], a[(i + 1) % 10], Milli(10 * (ulong)(i + 1)));
            }

            for (var i = 1; i <= 5; i++)
            {
                await EthAsync(a[0], Fresh(i), Milli(100));
            }

            await MineAsync();

            // Block 3: ERC-20 transfers, mints, approvals.
            for (var i = 1; i <= 5; i++)
            {
                await Erc20TransferAsync(a[0], a[i], Tokens(1000 * (ulong)i));
            }

            await Erc20MintAsync(a[6], a[6], Tokens(500));
            await Erc20MintAsync(a[7], Fresh(6), Tokens(250));
            await CallAsync(EvmScenarioKind.Erc20Approve, "TestToken approve a2 for a1's 300", a[1], Token, "approve(address,uint256)", a[2], Tokens(300));
            await CallAsync(EvmScenarioKind.Erc20Approve, "TestToken approve a9 for a0's 5000", a[0], Token, "approve(address,uint256)", a[9], Tokens(5000));
            await MineAsync();

            // Block 4: transferFrom, burn, a failed transfer.
            await Erc20TransferFromAsync(a[2], a[1], a[7], Tokens(200));
            await Erc20TransferAsync(a[3], a[4], Tokens(100));
            await Erc20TransferAsync(a[4], Fresh(7), Tokens(50));
            await CallAsync(EvmScenarioKind.Erc20Burn, "TestToken burn 100 of a5", a[5], Token, "burn(uint256)", Tokens(100));
            Debit(_token, a[5], Tokens(100));
            await Erc20TransferFromAsync(a[9], a[0], Fresh(8), Tokens(1000));
            await Erc20TransferAsync(a[6], a[0], Tokens(10));
            await EthAsync(a[5], a[6], Milli(5));
            await CallAsync(
                EvmScenarioKind.FailedCall, "TestToken transfer of more than a8 holds (reverts)", a[8], Token,
                "transfer(address,uint256)", [a[9], Tokens(10_000_000)], expectSuccess: false, gas: FailingCallGas);
            await MineAsync();

            // Block 5: ERC-721 mints.
            for (ulong id = 1; id <= 5; id++)
            {
                await NftMintAsync(a[0], a[0], id);
            }

            await NftMintAsync(a[1], a[1], 10);
            await NftMintAsync(a[2], Fresh(9), 20);
            await MineAsync();

            // Block 6: ERC-721 transfers and an approval.
            await NftTransferAsync(a[0], a[0], a[1], 1, "transferFrom(address,address,uint256)");
            await NftTransferAsync(a[0], a[0], a[2], 2, "safeTransferFrom(address,address,uint256)");
            await NftTransferAsync(a[1], a[1], a[3], 10, "transferFrom(address,address,uint256)");
            await CallAsync(EvmScenarioKind.Erc721Approve, "TestNft approve a4 for id 3", a[0], Nft, "approve(address,uint256)", a[4], 3UL);
            await Erc20TransferAsync(a[1], a[8], Tokens(50));
            await MineAsync();

            // Block 7: an approved ERC-721 transfer; ERC-1155 mints.
            await NftTransferAsync(a[4], a[0], Fresh(10), 3, "transferFrom(address,address,uint256)");
            await NftTransferAsync(a[3], a[3], a[5], 10, "transferFrom(address,address,uint256)");
            await MultiMintAsync(a[0], a[0], 1, 100);
            await MultiMintAsync(a[0], a[1], 2, 50);
            await MultiMintBatchAsync(a[0], a[0], [3, 4, 5], [10, 20, 30]);
            await MineAsync();

            // Block 8: ERC-1155 transfers, single and batch.
            await MultiTransferAsync(a[0], a[0], a[2], 1, 10);
            await MultiBatchTransferAsync(a[0], a[0], a[3], [3, 4, 5], [1, 2, 3]);
            await MultiTransferAsync(a[1], a[1], Fresh(11), 2, 5);
            await CallAsync(EvmScenarioKind.Erc1155ApproveAll, "TestMulti setApprovalForAll a4 by a1", a[1], Multi, "setApprovalForAll(address,bool)", a[4], true);
            await EthAsync(a[7], a[8], Milli(20));
            await EthAsync(a[8], a[9], Milli(30));
            await MineAsync();

            // Block 9: an operator's ERC-1155 transfer; WETH deposits (one through receive()).
            await MultiTransferAsync(a[4], a[1], a[5], 2, 7);
            await MultiBatchTransferAsync(a[2], a[2], Fresh(12), [1], [4]);
            await WethDepositAsync(a[0], Milli(2000), viaReceive: false);
            await WethDepositAsync(a[1], Milli(1000), viaReceive: false);
            await WethDepositAsync(a[2], Milli(500), viaReceive: true);
            await MineAsync();

            // Block 10: WETH transfer, withdrawals, approval.
            await WethTransferAsync(a[0], a[0], a[3], Milli(500));
            await WethWithdrawAsync(a[0], Milli(700));
            await CallAsync(EvmScenarioKind.WethApprove, "Weth approve a2 for a1's 0.3", a[1], Weth, "approve(address,uint256)", a[2], Milli(300));
            await WethWithdrawAsync(a[2], Milli(200));
            await MineAsync();

            // Block 11: WETH transferFrom and withdraw; FanOut to 20 fresh addresses (7 wei stay behind).
            await WethTransferAsync(a[2], a[1], Fresh(13), Milli(300));
            await WethWithdrawAsync(a[3], Milli(500));
            var fanRecipients = Enumerable.Range(20, FanRecipients).Select(Fresh).ToArray();
            var share = Milli(50);
            var remainder = (UInt256)7UL;
            var fanValue = share * (ulong)FanRecipients + remainder;
            await CallAsync(EvmScenarioKind.FanOut, "FanOut 1 ETH + 7 wei to 20 fresh addresses", a[0], _contracts["FanOut"], "fan(address[])", [fanRecipients], value: fanValue, gas: FanGas);
            foreach (var recipient in fanRecipients)
            {
                Credit(_eth, recipient, share);
            }

            Credit(_eth, _contracts["FanOut"], remainder);
            await MineAsync();

            // Block 12: failures, try/catch, CREATE2 with value, ETH into the vault.
            var failed = await CallAsync(EvmScenarioKind.FailedCall, "Reverter.boom() (reverts)", a[5], Reverter, "boom()", [], expectSuccess: false, gas: FailingCallGas);
            var tryCall = await CallAsync(EvmScenarioKind.TryCall, "Reverter.tryCall(Reverter) with 0.01 ETH", a[6], Reverter, "tryCall(address)", [Reverter], value: Milli(10), gas: CallGas);
            Credit(_eth, Reverter, Milli(10));
            await CallAsync(EvmScenarioKind.FailedCall, "FanOut.fan([]) with 1 ETH (reverts)", a[7], _contracts["FanOut"], "fan(address[])", [Array.Empty<EvmAddress>()], value: Milli(1000), expectSuccess: false, gas: FailingCallGas);
            var child1 = await Create2Async(a[8], 1, Milli(300));
            var child2 = await Create2Async(a[9], 2, 0);
            await EthAsync(a[2], Vault, Milli(200), EvmScenarioKind.EthToContract, gas: 50_000);
            await MineAsync();

            // Block 13: SELFDESTRUCT with a balance.
            var vaultBalance = _eth[Vault];
            var selfDestruct = await CallAsync(EvmScenarioKind.SelfDestruct, "Vault.destroy() moves 0.7 ETH to the beneficiary", a[3], Vault, "destroy()", []);
            Credit(_eth, beneficiary, vaultBalance);
            _eth[Vault] = 0;
            await EthAsync(a[4], a[5], Milli(1));
            await EthAsync(a[5], Fresh(14), Milli(2));
            await Erc20MintAsync(a[6], a[6], 1);
            await MineAsync();

            // Block 14: the vault survives SELFDESTRUCT since Cancun and takes ETH again; a mix of the rest.
            await EthAsync(a[4], Vault, Milli(10), EvmScenarioKind.EthToContract, gas: 50_000);
            await Erc20TransferAsync(a[0], Fresh(15), 77);
            await NftMintAsync(a[5], Fresh(16), 30);
            await MultiMintAsync(a[0], Fresh(17), 6, 1);
            await WethDepositAsync(a[4], Milli(40), viaReceive: false);
            await EthAsync(a[9], Fresh(18), Milli(3));
            await MineAsync();

            // Block 15: a second SELFDESTRUCT, CREATE2 again and a CREATE2 collision, a tryCall without value,
            // and a transaction from an impersonated fresh address.
            await CallAsync(EvmScenarioKind.SelfDestruct, "Vault.destroy() again: 0.01 ETH", a[4], Vault, "destroy()", []);
            Credit(_eth, beneficiary, _eth[Vault]);
            _eth[Vault] = 0;
            var child3 = await Create2Async(a[0], 3, Milli(123));
            await CallAsync(EvmScenarioKind.FailedCall, "Factory.deploy(salt 1) again: CREATE2 collision (reverts)", a[9], Factory, "deploy(bytes32)", [Salt(1)], expectSuccess: false, gas: CallGas);
            await CallAsync(EvmScenarioKind.TryCall, "Reverter.tryCall(Reverter) without value", a[1], Reverter, "tryCall(address)", [Reverter], gas: CallGas);
            var impersonated = Fresh(1);
            await node.ImpersonateAsync(impersonated, ct);
            await EthAsync(impersonated, Fresh(19), Milli(30));
            await node.StopImpersonatingAsync(impersonated, ct);
            await MineAsync();

            // Block 16: every dev account pays a fresh address.
            for (var i = 0; i < 10; i++)
            {
                await EthAsync(a[i], Fresh(40 + i), Milli((ulong)i + 1));
            }

            await MineAsync();

            // Block 17: empty.
            await MineAsync();

            // Block 18: a burst of ERC-20 transfers.
            for (var i = 1; i <= 9; i++)
            {
                await Erc20TransferAsync(a[0], a[i], Tokens((ulong)i));
            }

            for (var i = 50; i <= 52; i++)
            {
                await Erc20TransferAsync(a[0], Fresh(i), Tokens((ulong)i));
            }

            await MineAsync();

            _contracts["Child1"] = child1;
            _contracts["Child2"] = child2;
            _contracts["Child3"] = child3;

            // Exact ETH: fresh addresses that never paid gas (0 if they only got tokens), and the contracts.
            var expectedEth = _fresh.Values.Where(f => !_paidGas.Contains(f)).Concat(_contracts.Values)
                .Distinct()
                .ToDictionary(address => address, address => _eth.GetValueOrDefault(address));
            return new EvmScenarioResult
            {
                Contracts = _contracts,
                Transactions = _done,
                FirstBlock = _firstBlock,
                LastBlock = _lastBlock,
                Addresses = _addresses.Order().ToArray(),
                FreshAddresses = _fresh.Values.ToArray(),
                FanOutRecipients = fanRecipients,
                FanOutShare = share,
                FanOutRemainder = remainder,
                FailedTransaction = failed,
                TryCallTransaction = tryCall,
                Create2Child = child1,
                Create2Salt = Salt(1),
                Create2Value = Milli(300),
                VaultBeneficiary = beneficiary,
                VaultBalanceAtDestroy = vaultBalance,
                SelfDestructTransaction = selfDestruct,
                ExpectedEthBalances = expectedEth,
                ExpectedTokenBalances = _token,
                ExpectedNftOwners = _nft,
                ExpectedMultiBalances = _multi,
                ExpectedWethBalances = _weth,
            };
        }

        private EvmAddress Fresh(int index)
        {
            var address = FreshAddress(index);
            _fresh[index] = address;
            _addresses.Add(address);
            return address;
        }

        private Task<EvmHash> EthAsync(EvmAddress from, EvmAddress to, UInt256 value, EvmScenarioKind kind = EvmScenarioKind.EthTransfer, ulong gas = TransferGas)
        {
            Credit(_eth, to, value);
            return Send(kind, $"{value} wei {from} → {to}", from, to, value, null, gas);
        }

        private async Task Erc20TransferAsync(EvmAddress from, EvmAddress to, UInt256 amount)
        {
            await CallAsync(EvmScenarioKind.Erc20Transfer, $"TestToken transfer {amount} {from} → {to}", from, Token, "transfer(address,uint256)", to, amount);
            Debit(_token, from, amount);
            Credit(_token, to, amount);
        }

        private async Task Erc20TransferFromAsync(EvmAddress spender, EvmAddress from, EvmAddress to, UInt256 amount)
        {
            await CallAsync(EvmScenarioKind.Erc20TransferFrom, $"TestToken transferFrom {amount} {from} → {to} by {spender}", spender, Token, "transferFrom(address,address,uint256)", from, to, amount);
            Debit(_token, from, amount);
            Credit(_token, to, amount);
            _addresses.Add(from);
        }

        private async Task Erc20MintAsync(EvmAddress sender, EvmAddress to, UInt256 amount)
        {
            await CallAsync(EvmScenarioKind.Erc20Mint, $"TestToken mint {amount} to {to}", sender, Token, "mint(address,uint256)", to, amount);
            Credit(_token, to, amount);
        }

        private async Task NftMintAsync(EvmAddress sender, EvmAddress to, ulong id)
        {
            await CallAsync(EvmScenarioKind.Erc721Mint, $"TestNft mint id {id} to {to}", sender, Nft, "mint(address,uint256)", to, id);
            _nft[id] = to;
            _addresses.Add(to);
        }

        private async Task NftTransferAsync(EvmAddress sender, EvmAddress from, EvmAddress to, ulong id, string signature)
        {
            await CallAsync(EvmScenarioKind.Erc721Transfer, $"TestNft {signature[..signature.IndexOf('(', StringComparison.Ordinal)]} id {id} {from} → {to}", sender, Nft, signature, from, to, id);
            _nft[id] = to;
            _addresses.Add(from);
            _addresses.Add(to);
        }

        private async Task MultiMintAsync(EvmAddress sender, EvmAddress to, ulong id, ulong amount)
        {
            await CallAsync(EvmScenarioKind.Erc1155Mint, $"TestMulti mint {amount} of id {id} to {to}", sender, Multi, "mint(address,uint256,uint256)", to, id, amount);
            Credit(_multi, (to, id), amount);
            _addresses.Add(to);
        }

        private async Task MultiMintBatchAsync(EvmAddress sender, EvmAddress to, ulong[] ids, ulong[] amounts)
        {
            await CallAsync(EvmScenarioKind.Erc1155MintBatch, $"TestMulti mintBatch ids [{string.Join(',', ids)}] to {to}", sender, Multi, "mintBatch(address,uint256[],uint256[])", to, ids, amounts);
            for (var i = 0; i < ids.Length; i++)
            {
                Credit(_multi, (to, ids[i]), amounts[i]);
            }
        }

        private async Task MultiTransferAsync(EvmAddress sender, EvmAddress from, EvmAddress to, ulong id, ulong amount)
        {
            await CallAsync(
                EvmScenarioKind.Erc1155Transfer, $"TestMulti safeTransferFrom {amount} of id {id} {from} → {to}", sender, Multi,
                "safeTransferFrom(address,address,uint256,uint256,bytes)", from, to, id, amount, Array.Empty<byte>());
            Debit(_multi, (from, id), amount);
            Credit(_multi, (to, id), amount);
            _addresses.Add(from);
            _addresses.Add(to);
        }

        private async Task MultiBatchTransferAsync(EvmAddress sender, EvmAddress from, EvmAddress to, ulong[] ids, ulong[] amounts)
        {
            await CallAsync(
                EvmScenarioKind.Erc1155BatchTransfer, $"TestMulti safeBatchTransferFrom ids [{string.Join(',', ids)}] {from} → {to}", sender, Multi,
                "safeBatchTransferFrom(address,address,uint256[],uint256[],bytes)", from, to, ids, amounts, Array.Empty<byte>());
            for (var i = 0; i < ids.Length; i++)
            {
                Debit(_multi, (from, ids[i]), amounts[i]);
                Credit(_multi, (to, ids[i]), amounts[i]);
            }

            _addresses.Add(to);
        }

        private async Task WethDepositAsync(EvmAddress from, UInt256 value, bool viaReceive)
        {
            if (viaReceive)
            {
                await Send(EvmScenarioKind.WethDeposit, $"{value} wei to Weth's receive() from {from}", from, Weth, value, null, CallGas);
            }
            else
            {
                await CallAsync(EvmScenarioKind.WethDeposit, $"Weth deposit {value} wei from {from}", from, Weth, "deposit()", [], value: value);
            }

            Credit(_weth, from, value);
            Credit(_eth, Weth, value);
        }

        private async Task WethWithdrawAsync(EvmAddress from, UInt256 amount)
        {
            await CallAsync(EvmScenarioKind.WethWithdraw, $"Weth withdraw {amount} wei to {from}", from, Weth, "withdraw(uint256)", amount);
            Debit(_weth, from, amount);
            Debit(_eth, Weth, amount);
        }

        private async Task WethTransferAsync(EvmAddress sender, EvmAddress from, EvmAddress to, UInt256 amount)
        {
            if (sender == from)
            {
                await CallAsync(EvmScenarioKind.WethTransfer, $"Weth transfer {amount} {from} → {to}", sender, Weth, "transfer(address,uint256)", to, amount);
            }
            else
            {
                await CallAsync(EvmScenarioKind.WethTransferFrom, $"Weth transferFrom {amount} {from} → {to} by {sender}", sender, Weth, "transferFrom(address,address,uint256)", from, to, amount);
            }

            Debit(_weth, from, amount);
            Credit(_weth, to, amount);
            _addresses.Add(to);
        }

        private async Task<EvmAddress> Create2Async(EvmAddress sender, int saltIndex, UInt256 value)
        {
            var salt = Salt(saltIndex);
            var child = Abi.DecodeAddress(await node.CallAsync(Factory, Abi.EncodeCall("childAddress(bytes32)", salt), "latest", ct));
            await CallAsync(EvmScenarioKind.Create2, $"Factory.deploy(salt {saltIndex}) with {value} wei → {child}", sender, Factory, "deploy(bytes32)", [salt], value: value, gas: CallGas);
            Credit(_eth, child, value);
            _addresses.Add(child);
            return child;
        }

        /// <summary>A successful contract call with no value and <see cref="CallGas"/>.</summary>
        private Task<EvmHash> CallAsync(EvmScenarioKind kind, string description, EvmAddress from, EvmAddress contract, string signature, params object[] args) =>
            CallAsync(kind, description, from, contract, signature, args, value: default);

        private Task<EvmHash> CallAsync(
            EvmScenarioKind kind, string description, EvmAddress from, EvmAddress contract, string signature, object[] args,
            UInt256 value = default, bool expectSuccess = true, ulong gas = CallGas) =>
            Send(kind, description, from, contract, value, Abi.EncodeCall(signature, args), gas, expectSuccess);

        private async Task<EvmHash> Send(
            EvmScenarioKind kind, string description, EvmAddress from, EvmAddress? to, UInt256 value, byte[]? data, ulong gas, bool expectSuccess = true)
        {
            var hash = await node.SendTransactionAsync(from, to, value, data, gas, ct);
            _pending.Add(new Pending(hash, kind, description, from, to, value, expectSuccess));
            _addresses.Add(from);
            if (to is { } recipient)
            {
                _addresses.Add(recipient);
            }

            if (_fresh.ContainsValue(from))
            {
                _paidGas.Add(from);
            }

            return hash;
        }

        /// <summary>Mines one block and checks it holds exactly the pending transactions, each with its meant status.</summary>
        private async Task MineAsync()
        {
            await node.MineAsync(1, ct);
            var number = await node.BlockNumberAsync(ct);
            if (_firstBlock == 0)
            {
                _firstBlock = number;
            }

            _lastBlock = number;
            var receipts = await node.GetBlockReceiptsAsync(number, ct);
            var byHash = receipts.EnumerateArray().ToDictionary(r => EvmHash.Parse(r.GetProperty("transactionHash").GetString()!), r => r.Clone());
            var problems = new List<string>();
            foreach (var pending in _pending)
            {
                if (!byHash.TryGetValue(pending.Hash, out var receipt))
                {
                    problems.Add($"{pending.Description} ({pending.Hash}) is not in block {number}");
                    continue;
                }

                var success = receipt.GetProperty("status").GetString() == "0x1";
                if (success != pending.ExpectSuccess)
                {
                    problems.Add($"{pending.Description} ({pending.Hash}) has status {receipt.GetProperty("status")}, meant {(pending.ExpectSuccess ? "0x1" : "0x0")}");
                }

                _receipts[pending.Hash] = receipt;
                _done.Add(new EvmScenarioTransaction(
                    _done.Count, pending.Hash, pending.Kind, pending.Description, pending.From, pending.To, pending.Value, pending.ExpectSuccess, number));
            }

            if (byHash.Count != _pending.Count)
            {
                problems.Add($"block {number} holds {byHash.Count} transactions, {_pending.Count} were sent");
            }

            _pending.Clear();
            if (problems.Count > 0)
            {
                throw new InvalidOperationException("The EVM scenario went wrong:\n" + string.Join('\n', problems) + "\n" + node.Diagnostics());
            }
        }

        private static void Credit<TKey>(Dictionary<TKey, UInt256> ledger, TKey key, UInt256 amount)
            where TKey : notnull =>
            ledger[key] = ledger.GetValueOrDefault(key) + amount;

        private static void Debit<TKey>(Dictionary<TKey, UInt256> ledger, TKey key, UInt256 amount)
            where TKey : notnull
        {
            var balance = ledger.GetValueOrDefault(key);
            if (balance < amount)
            {
                throw new InvalidOperationException($"The scenario spends {amount} of {key}, which holds {balance}: fix the scenario.");
            }

            ledger[key] = balance - amount;
        }

        private sealed record Pending(EvmHash Hash, EvmScenarioKind Kind, string Description, EvmAddress From, EvmAddress? To, UInt256 Value, bool ExpectSuccess);
    }
}
