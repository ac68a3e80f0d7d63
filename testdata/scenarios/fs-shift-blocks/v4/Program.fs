module Scn.Program
// a line above the match
// and one above the seq


let classify n =
    match n with
    | 0 -> "zero"
    | n when n < 0 -> "negative"
    | _ -> "pos"

let evens limit =
    seq {
        for i in 1..limit do
            if i % 2 = 0 then
                yield i * 3
    }

let compute () =
    task {
        let! x = System.Threading.Tasks.Task.FromResult 20
        return x + 2
    }

let Run () : string =
    classify 5 + " " + string (Seq.sum (evens 10)) + " " + string (compute().Result)
