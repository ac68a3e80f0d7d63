module App.Program

let helper (x: int) : string =
    "v4: " + string (x * 2)

let describe (name: string) (n: int) = sprintf "%s:%d" name n

let inline twice (f: int -> int) x = f (f x)

let Run () : string =
    helper 5 + " " + describe "n" (twice (fun v -> v + 10) 1)
