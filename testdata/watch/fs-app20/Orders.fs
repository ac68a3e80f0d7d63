// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Orders

type OrdersItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "orders-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 5 + 3

let total (items: OrdersItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: OrdersItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Inventory.scale x + 1
