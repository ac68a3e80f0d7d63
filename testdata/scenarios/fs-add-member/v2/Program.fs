module App.Program

type Counter(start: int) =
    let mutable n = start
    member _.Next() =
        n <- n + 1
        n
    member _.Skip(k: int) =
        n <- n + k
        n
    static member Zero() = Counter 0

let Run () : string =
    let c = Counter 40
    c.Skip 5 |> ignore
    "count " + string (c.Next()) + " zero " + string (Counter.Zero().Next())
