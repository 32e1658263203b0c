package dev.charla.bench;

/**
 * The unpaced fan-out against a server with {@code --durability DURABLE} and one with {@code FAST}: the ratio of
 * stored msgs/s shows what waiting for the disk costs. Needs servers the generator starts.
 */
record DurabilityScenario(FanoutScenario fanout) implements Scenario {
  @Override
  public String name() {
    return "durability";
  }

  @Override
  public String description() {
    return "fan-out (" + fanout.members() + " members, " + fanout.senders() + " senders × " + fanout.window()
        + ") with --durability DURABLE vs FAST: msgs/s ratio";
  }

  @Override
  public RunResult run(Env env) throws Exception {
    if (!env.servers().startsServers()) {
      throw new IllegalStateException("the durability scenario needs --start-server (it restarts the server)");
    }
    RunResult fast = fanout.withDurability("FAST").run(env);
    RunResult durable = fanout.withDurability("DURABLE").run(env);
    RunResult r = new RunResult();
    r.put("FAST msgs/s", fast.get("msgs/s"));
    r.put("DURABLE msgs/s", durable.get("msgs/s"));
    r.put("DURABLE/FAST", durable.get("msgs/s") / fast.get("msgs/s"));
    r.put("FAST deliveries/s", fast.get("deliveries/s"));
    r.put("DURABLE deliveries/s", durable.get("deliveries/s"));
    r.put("loss", fast.get("loss") + durable.get("loss"));
    return r;
  }
}
