// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";

/// A fixed-price NFT sale settled in one call, the shape of a marketplace settlement: the buyer pays the market, the
/// market pays the seller (an internal call with value), the token goes from the seller to the buyer (the seller has
/// approved the market).
contract NftMarket {
    function buy(IERC721 nft, uint256 id, address payable seller) external payable {
        (bool ok, ) = seller.call{value: msg.value}("");
        require(ok, "payment failed");
        nft.transferFrom(seller, msg.sender, id);
    }
}
