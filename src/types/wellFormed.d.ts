// ES2024 string methods, present in the pinned Node 24 but not in the ES2023 lib this project compiles against.
interface String {
  isWellFormed(): boolean;
  toWellFormed(): string;
}
