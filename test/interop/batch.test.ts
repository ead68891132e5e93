// A batch through the real servers. `mailctl batch` (issue 8) is not built yet: this file names what the suite
// will check once it is, and passes nothing in the meantime.
import { describe, it } from "vitest";

describe("batch through Postfix and Exim", () => {
  it.todo("a batch of 1,000 to bob delivers 1,000: 1,000 distinct Message-IDs in bob's maildir — needs `mailctl batch` (issue 8)");
  it.todo("a batch with unknown recipients among known ones reports each refusal and delivers the rest — needs `mailctl batch` (issue 8)");
});
