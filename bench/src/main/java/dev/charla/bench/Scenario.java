package dev.charla.bench;

/** One load scenario: a name for the report, what it measures, and one run of it. */
interface Scenario {
  String name();

  /** One line for the report: parameters and what is measured. */
  String description();

  RunResult run(Env env) throws Exception;
}
