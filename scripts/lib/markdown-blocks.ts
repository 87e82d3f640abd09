/** Answers are read field by field by their callers; their shape is what is under test. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

/**
 * What a doc's markdown is made of, for tests that run a doc as written (docs/buf-curl-walk.md):
 * its fenced blocks under their headings, a section's table rows, and the JSON values a
 * command printed one after another.
 */
export interface Block {
  /** The `## ` heading the block is under. */
  heading: string;
  lang: string;
  text: string;
}

export function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let heading = "";
  let open: Block | undefined;
  for (const line of markdown.split("\n")) {
    if (open) {
      if (line.startsWith("```")) {
        blocks.push(open);
        open = undefined;
      } else open.text += `${line}\n`;
    } else if (line.startsWith("## ")) heading = line.slice(3);
    else if (line.startsWith("```")) open = { heading, lang: line.slice(3), text: "" };
  }
  return blocks;
}

/** The rows of a step's table, cells without their backticks: a call, its status and reason, and one more column. */
export function tableRows(markdown: string, headingStart: string) {
  const section = markdown.split(/^## /m).find((s) => s.startsWith(headingStart)) ?? "";
  return section
    .split("\n")
    .filter((line) => line.startsWith("|") && !line.startsWith("| call") && !line.startsWith("| --"))
    .map((line) => {
      const [, status = "", reason = "", more = ""] = line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim().replaceAll("`", ""));
      return { status, reason, more };
    });
}

/** The JSON values printed one after the other (buf curl pretty-prints; curl -s adds no newline). */
export function jsonValues(text: string): Json[] {
  const values: Json[] = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth++ === 0) start = i;
    } else if ((c === "}" || c === "]") && --depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
  }
  return values;
}
