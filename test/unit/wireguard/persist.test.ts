/**
 * The hub's persisted peers: only the `[Peer]` sections of `wg showconf` are kept (never the
 * interface's private key), and the restore line wg-quick runs.
 */
import { describe, expect, it } from "vitest";
import { peerSections, wgQuickPostUp } from "../../../components/wireguard/persist.ts";

describe("hub peer persistence", () => {
  it("keeps the [Peer] sections and drops the [Interface] section with its private key", () => {
    const showconf = [
      "[Interface]",
      "ListenPort = 51820",
      "PrivateKey = aGVsbG8taHViLXByaXZhdGUta2V5LW5vdC1yZWFsLTAwMDA=",
      "",
      "[Peer]",
      "PublicKey = cGVlci1hLXB1YmxpYy1rZXktbm90LXJlYWwtMDAwMDAwMDA=",
      "AllowedIPs = 10.77.0.2/32",
      "",
      "[Peer]",
      "PublicKey = cGVlci1iLXB1YmxpYy1rZXktbm90LXJlYWwtMDAwMDAwMDA=",
      "AllowedIPs = 10.77.0.3/32",
      "PersistentKeepalive = 25",
      "",
    ].join("\n");
    const kept = peerSections(showconf);
    expect(kept.startsWith("[Peer]\nPublicKey = cGVlci1h")).toBe(true);
    expect(kept).not.toContain("PrivateKey");
    expect(kept).not.toContain("ListenPort");
    expect(kept.match(/^\[Peer\]$/gm)).toHaveLength(2);
    expect(peerSections("[Interface]\nListenPort = 51820\n")).toBe("");
  });

  it("restores with wg addconf from wg-quick's PostUp, and only when the file has peers", () => {
    expect(wgQuickPostUp("/etc/wireguard/wg0.peers.conf")).toBe("PostUp = test ! -s /etc/wireguard/wg0.peers.conf || wg addconf %i /etc/wireguard/wg0.peers.conf");
  });
});
