module App.Program

type Counter(start: int) =
    let mutable n = start
    new() = Counter 7
    member _.Next() =
        n <- n + 1
        n
    member _.Skip(k: int) =
        n <- n + k * 2
        n
    member _.Current = n
    static member Zero() = Counter 0

let Run () : string =
    let c = Counter()
    c.Skip 1 |> ignore
    "count " + string (c.Next()) + " current " + string c.Current
