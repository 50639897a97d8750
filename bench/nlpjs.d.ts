// NLP.js ships no type declarations; only the comparison script uses it (a dev dependency).
declare module "@nlpjs/core" {
  export function containerBootstrap(): Promise<{ use(plugin: unknown): void; get(name: "nlp"): NlpJs }>;
  interface NlpJs {
    settings: Record<string, unknown>;
    addLanguage(lang: string): void;
    addDocument(lang: string, utterance: string, intent: string): void;
    train(): Promise<void>;
    process(lang: string, utterance: string): Promise<{ intent: string; score: number }>;
  }
}
declare module "@nlpjs/lang-en-min" {
  export const LangEn: unknown;
}
declare module "@nlpjs/nlp" {
  export const Nlp: unknown;
}
