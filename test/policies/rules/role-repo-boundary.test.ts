import { describe, expect, it } from "vitest";
import { check, noDowngrade, res, unknown } from "../helpers.ts";

const cfg = { "role-repo-boundary": { productRepositories: ["lab-agents/product"] } };

describe("role-repo-boundary", () => {
  it("passes role grants on their own repositories and HTTPS remotes", async () => {
    const vs = await check(
      "role-repo-boundary",
      [
        res("pulumi-nodejs:dynamic:Resource", "infra-token", { kind: "gitlab-project-access-token", role: "infra", project: "lab-agents/infra", baseUrl: "https://gitlab.lab.example.org" }),
        res("pulumi-nodejs:dynamic:Resource", "arch-token", { kind: "gitlab-project-access-token", role: "arch", project: "lab-agents/product" }),
        res("command:remote:Command", "clone", { create: "git clone https://gitlab.lab.example.org/lab-agents/infra.git", connection: { host: unknown.string } }),
      ],
      cfg,
    );
    expect(vs).toEqual([]);
  });

  it("fails infra access to the product repository (configured or adopted with existing: true) and non-HTTPS remotes", async () => {
    const adopted = res("pulumi-nodejs:dynamic:Resource", "product", { kind: "gitlab-project", path: "product", existing: true });
    const vs = await check("role-repo-boundary", [
      adopted,
      res("pulumi-nodejs:dynamic:Resource", "infra-member", { kind: "gitlab-project-member", role: "infra", project: "lab-agents/product" }),
      res("command:remote:Command", "clone", { create: "git clone git@gitlab.lab.example.org:lab-agents/infra.git" }),
      res("pulumi-nodejs:dynamic:Resource", "api", { kind: "gitlab-group", url: "http://gitlab.lab.example.org" }),
    ]);
    expect(vs.map((v) => v.message.split("\n")[1]?.split(". Fix")[0])).toEqual([
      'pulumi-nodejs:dynamic:Resource::infra-member gives the infra role access to the product repository "lab-agents/product"',
      "command:remote:Command::clone uses a non-HTTPS git remote at create",
      'pulumi-nodejs:dynamic:Resource::api url is plain HTTP ("http://gitlab.lab.example.org")',
    ]);
    expect(vs.every((v) => v.enforcementLevel === "mandatory")).toBe(true);
    expect(noDowngrade(vs)).toBe(true);
  });

  it("lets plain HTTP to this host's loopback pass (a simulated lab's Home Assistant stand-in)", async () => {
    const vs = await check("role-repo-boundary", [
      res("pulumi-nodejs:dynamic/hut:HutAction", "hut-01-flash", { stdin: JSON.stringify({ homeAssistant: { url: "http://127.0.0.1:36681" } }) }),
      res("pulumi-nodejs:dynamic:Resource", "ha", { kind: "x", url: "http://localhost:8123" }),
    ]);
    expect(vs).toEqual([]);
  });
});

describe("role-repo-boundary with per-role namespaces", () => {
  const ns = { "role-repo-boundary": { productRepositories: ["arch/agent"] } };

  it("the same project name in another namespace is not the product repository", async () => {
    const vs = await check(
      "role-repo-boundary",
      [
        res("pulumi-nodejs:dynamic/gitlab:Project", "arch-project", { role: "arch", namespace: "arch", path: "agent", existing: true, gitlabUrl: "https://gitlab.lab.example.org" }),
        res("pulumi-nodejs:dynamic/gitlab:ProjectAccessToken", "infra-token", { role: "infra", projectPath: "infra/agent", gitlabUrl: "https://gitlab.lab.example.org" }),
        res("pulumi-nodejs:dynamic/gitlab:Group", "ns-infra", { fullPath: "infra", roles: ["infra"], gitlabUrl: "https://gitlab.lab.example.org" }),
        res("pulumi-nodejs:dynamic/gitlab:Group", "ns-shared", { fullPath: "lab", roles: ["arch", "infra"], gitlabUrl: "https://gitlab.lab.example.org" }),
      ],
      ns,
    );
    expect(vs).toEqual([]);
  });

  it("fails infra access to the namespaced product repository (path or URL) and a product inside the infra namespace", async () => {
    const vs = await check(
      "role-repo-boundary",
      [
        res("pulumi-nodejs:dynamic/gitlab:Project", "arch-project", { role: "arch", namespace: "infra/apps", path: "product", existing: true }),
        res("pulumi-nodejs:dynamic/gitlab:ProjectAccessToken", "infra-token", { role: "infra", projectPath: "arch/agent" }),
        res("pulumi-nodejs:dynamic:Resource", "infra-mirror", { role: "infra", repo: "https://gitlab.lab.example.org/arch/agent.git" }),
        res("pulumi-nodejs:dynamic/gitlab:Group", "ns-infra", { fullPath: "infra", roles: ["infra"] }),
      ],
      ns,
    );
    expect(vs.map((v) => v.message.split("\n")[1]?.split(". Fix")[0])).toEqual([
      'pulumi-nodejs:dynamic/gitlab:Group::ns-infra: the product repository "infra/apps/product" lies in namespace "infra", which belongs to the infra role',
      'pulumi-nodejs:dynamic/gitlab:ProjectAccessToken::infra-token gives the infra role access to the product repository "arch/agent"',
      'pulumi-nodejs:dynamic:Resource::infra-mirror gives the infra role access to the product repository "https://gitlab.lab.example.org/arch/agent.git"',
    ]);
  });
});
