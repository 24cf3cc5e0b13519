// Finds where JSON text stops being valid (RFC 8259 grammar), for line/column in syntax errors.
// V8's JSON.parse names the position only for some errors; this scan runs only after a parse has failed.

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// RFC 8259 §7: control characters must be escaped inside strings, so the class has to name them.
// eslint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

class Failure {
  constructor(readonly offset: number) {}
}

class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(): never {
    throw new Failure(this.pos);
  }

  skipWs(): void {
    while (this.pos < this.text.length && WS.has(this.text.charCodeAt(this.pos))) this.pos++;
  }

  expect(char: string): void {
    this.skipWs();
    if (this.text[this.pos] !== char) this.fail();
    this.pos++;
  }

  sticky(re: RegExp): void {
    re.lastIndex = this.pos;
    if (!re.test(this.text)) this.fail();
    this.pos = re.lastIndex;
  }

  /** Parses `open item (, item)* close` or `open close`. */
  list(open: string, close: string, item: () => void): void {
    this.expect(open);
    this.skipWs();
    if (this.text[this.pos] === close) {
      this.pos++;
      return;
    }
    for (;;) {
      item();
      this.skipWs();
      const c = this.text[this.pos];
      if (c === close) {
        this.pos++;
        return;
      }
      if (c !== ',') this.fail();
      this.pos++;
    }
  }

  value(): void {
    this.skipWs();
    const c = this.text[this.pos];
    if (c === '{') {
      this.list('{', '}', () => {
        this.skipWs();
        this.sticky(STRING);
        this.expect(':');
        this.value();
      });
    } else if (c === '[') {
      this.list('[', ']', () => this.value());
    } else if (c === '"') {
      this.sticky(STRING);
    } else {
      for (const word of ['true', 'false', 'null']) {
        if (this.text.startsWith(word, this.pos)) {
          this.pos += word.length;
          return;
        }
      }
      this.sticky(NUMBER);
    }
  }
}

/** Offset of the first character that makes `text` invalid JSON (text.length for early end); undefined if valid. */
export function jsonErrorOffset(text: string): number | undefined {
  const scanner = new Scanner(text);
  try {
    scanner.value();
    scanner.skipWs();
    return scanner.pos < text.length ? scanner.pos : undefined;
  } catch (error) {
    if (error instanceof Failure) return error.offset;
    throw error;
  }
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lastNewline = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastNewline };
}
